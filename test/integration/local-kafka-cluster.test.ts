import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalKafkaCluster, type LocalKafkaCluster } from '../../scripts/local-kafka.ts';
import { freeConsecutivePorts } from '../../kit/consecutive-ports.ts';
import { createTestDatabase } from '../../kit/test-database.ts';
import { readAllMessages } from '../../kit/topic-reader.ts';
import { testKafka, uniqueName } from '../../kit/topics.ts';
import { eventually } from '../support/pipeline.ts';
import { runScript } from '../support/run-script.ts';

/**
 * The launcher's three-node cluster: a topic created with the brokers' defaults comes out replicated
 * (3 replicas, min.insync.replicas=2), and acks=all producing goes on after one node is SIGKILLed and
 * after it is started again on its data, which it catches up on.
 */
describe('a local three-node Kafka cluster', () => {
  let dataDir: string;
  let cluster: LocalKafkaCluster;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'callstream-kafka-cluster-'));
    cluster = await startLocalKafkaCluster({ nodes: 3, port: await freeConsecutivePorts(6), dataDir });
    kafka = testKafka(cluster.brokers);
    producer = kafka.producer();
    await producer.connect();
  }, 180_000);
  afterAll(async () => {
    await producer?.disconnect();
    // Its data goes with it: no need for the controlled shutdown, whose quorum wait costs some 6 s with all three stopping.
    await cluster?.stop('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('npm run setup creates the topics with the configured replication factor and min.insync.replicas, and reports them once weaker than configured', async () => {
    const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    const topics = {
      TOPIC_CALL_RECORDS: uniqueName('setup.call-records'),
      TOPIC_REJECTED: uniqueName('setup.rejected'),
      TOPIC_DLQ: uniqueName('setup.dlq'),
    };
    const setup = (env: Record<string, string>) =>
      runScript(['npm', 'run', '--silent', 'setup'], { DATABASE_URL: db.url, KAFKA_BROKERS: cluster.brokers.join(','), ...topics, ...env });
    try {
      // Other than the cluster's defaults (3 and 2): what is created is what was configured.
      expect(await setup({ TOPIC_REPLICATION_FACTOR: '2', TOPIC_MIN_INSYNC_REPLICAS: '1' })).toMatchObject({ code: 0, stderr: '' });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics: described } = await admin.fetchTopicMetadata({ topics: Object.values(topics) });
        expect(described.map(({ partitions }) => partitions.map(({ replicas }) => replicas.length))).toEqual(
          Array(3).fill(Array(6).fill(2)),
        );
        const { resources } = await admin.describeConfigs({
          includeSynonyms: false,
          resources: Object.values(topics).map((name) => ({ type: 2 /* TOPIC */, name, configNames: ['min.insync.replicas'] })),
        });
        expect(resources.map(({ configEntries }) => configEntries[0]!.configValue)).toEqual(['1', '1', '1']);
      } finally {
        await admin.disconnect();
      }
      const weaker = await setup({ TOPIC_REPLICATION_FACTOR: '3', TOPIC_MIN_INSYNC_REPLICAS: '2' });
      expect(weaker.code).toBe(1);
      expect(weaker.stderr.split('\n')).toEqual([
        ...Object.values(topics).flatMap((topic) => [
          `topic ${topic}: replication factor is 2, TOPIC_REPLICATION_FACTOR asks for 3`,
          `topic ${topic}: min.insync.replicas is 1, TOPIC_MIN_INSYNC_REPLICAS asks for 2`,
        ]),
        'fix the topics (kafka-topics / kafka-configs) or the variables named above',
        '',
      ]);
    } finally {
      await db.drop();
    }
  });

  it('replicates topics by default and keeps acks=all working through a SIGKILLed and restarted node', { timeout: 180_000 }, async () => {
    const topic = uniqueName('test.cluster');
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(cluster.nodes.map((node) => node.id)).toEqual([1, 2, 3]);
      expect(await admin.createTopics({ topics: [{ topic }], waitForLeaders: true })).toBe(true);
      const partitions = async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;
      expect((await partitions()).map(({ replicas }) => [...replicas].sort())).toEqual(Array(6).fill([1, 2, 3]));
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['min.insync.replicas'] }],
      });
      expect(resources[0]!.configEntries.map(({ configName, configValue }) => [configName, configValue])).toEqual([
        ['min.insync.replicas', '2'],
      ]);

      // One record on every partition, so that those the stopped node led are written too.
      const acknowledged: string[] = [];
      const sendToEveryPartition = async (round: string) => {
        const values = Array.from({ length: 6 }, (_, partition) => `${round}-${partition}`);
        await producer.send({ topic, acks: -1, messages: values.map((value, partition) => ({ partition, value })) });
        acknowledged.push(...values);
        return true;
      };
      await sendToEveryPartition('before');

      const victim = await cluster.leaderOfMostPartitions(topic);
      await victim.stop('SIGKILL');
      expect(victim.process).toBeUndefined();
      // Until the controller fences the killed node its partitions have no live leader: sends fail, then succeed.
      let attempt = 0;
      await eventually(() => sendToEveryPartition(`down-${(attempt += 1)}`).catch(() => undefined), 60_000);
      expect((await cluster.partitionLeaders(topic)).has(victim.id)).toBe(false);

      await victim.start();
      expect(victim.process?.pid).toEqual(expect.any(Number));
      await sendToEveryPartition('restarted');
      // Back on its data, the node catches up and rejoins every partition's in-sync replicas.
      await eventually(async () => ((await partitions()).every(({ isr }) => isr.length === 3) ? true : undefined), 60_000);

      // A send that failed may still have been written; every acknowledged one must be there.
      const stored = (await readAllMessages(kafka, topic)).map((message) => String(message.value));
      expect(stored).toEqual(expect.arrayContaining(acknowledged));
      expect(acknowledged.filter((value) => value.startsWith('down-'))).toHaveLength(6);
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await admin.disconnect();
    }
  });
});
