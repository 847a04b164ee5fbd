import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { testKafka, uniqueName } from '../../kit/topics.ts';
import { runScript } from '../support/run-script.ts';

/**
 * npm run setup against a real broker: missing topics come out as configured, existing ones are checked,
 * and a topic weaker than configured is reported, one line per difference, with exit 1.
 */
interface DescribedTopic {
  partitions: number;
  replicas: number[];
  configs: Record<string, string>;
}

async function describeTopic(kafka: Kafka, topic: string): Promise<DescribedTopic> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const names = ['min.insync.replicas', 'retention.ms', 'max.message.bytes'];
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
    });
    return {
      partitions: topics[0]!.partitions.length,
      replicas: topics[0]!.partitions.map((partition) => partition.replicas.length),
      configs: Object.fromEntries(resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue])),
    };
  } finally {
    await admin.disconnect();
  }
}

describe('npm run setup: topics as a cluster needs them', () => {
  let db: TestDatabase;
  let kafka: Kafka;
  const brokers = inject('kafkaBrokers');
  const created: string[] = [];
  const topicEnv = () => {
    const names = {
      TOPIC_CALL_RECORDS: uniqueName('setup.call-records'),
      TOPIC_REJECTED: uniqueName('setup.rejected'),
      TOPIC_DLQ: uniqueName('setup.dlq'),
    };
    created.push(...Object.values(names));
    return names;
  };
  const setup = (env: Record<string, string>) =>
    runScript(['npm', 'run', '--silent', 'setup'], { DATABASE_URL: db.url, KAFKA_BROKERS: brokers.join(','), ...env });

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    kafka = testKafka(brokers);
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: created.filter((topic) => existing.has(topic)) });
    await admin.disconnect();
    await db?.drop();
  });

  it('creates missing topics with the configured partitions, replicas, min.insync.replicas and retention; a second run changes nothing', async () => {
    const topics = topicEnv();
    const env = {
      ...topics,
      TOPIC_PARTITIONS: '2',
      TOPIC_REPLICATION_FACTOR: '1',
      TOPIC_MIN_INSYNC_REPLICAS: '1',
      TOPIC_RETENTION_MS: '604800000',
    };
    const first = await setup(env);
    expect(first).toEqual({
      code: 0,
      stdout: `database is up to date\ntopics ready: ${topics.TOPIC_CALL_RECORDS}, ${topics.TOPIC_REJECTED}, ${topics.TOPIC_DLQ}\n`,
      stderr: '',
    });
    expect(await describeTopic(kafka, topics.TOPIC_CALL_RECORDS)).toEqual({
      partitions: 2,
      replicas: [1, 1],
      configs: { 'min.insync.replicas': '1', 'retention.ms': '604800000', 'max.message.bytes': '4194304' },
    });
    // Retention is the call-records topic's alone: quarantine and DLQ keep the broker's (7 days by default).
    expect(await describeTopic(kafka, topics.TOPIC_DLQ)).toEqual({
      partitions: 2,
      replicas: [1, 1],
      configs: { 'min.insync.replicas': '1', 'retention.ms': '604800000', 'max.message.bytes': '4194304' },
    });
    expect(await setup(env)).toEqual(first);
  });

  it('reports every way an existing topic is weaker than configured, one line each, and exits 1', async () => {
    const topics = topicEnv();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topics.TOPIC_CALL_RECORDS,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: '3600000' }],
        },
        {
          topic: topics.TOPIC_REJECTED,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: '4194304' }],
        },
        {
          topic: topics.TOPIC_DLQ,
          numPartitions: 4,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: '8388608' }],
        },
      ],
    });
    await admin.disconnect();

    const result = await setup({ ...topics, TOPIC_PARTITIONS: '3', TOPIC_REPLICATION_FACTOR: '2', TOPIC_RETENTION_MS: '-1' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('database is up to date\n');
    expect(result.stderr).toBe(
      [
        `topic ${topics.TOPIC_CALL_RECORDS}: partitions is 1, TOPIC_PARTITIONS asks for 3`,
        `topic ${topics.TOPIC_CALL_RECORDS}: replication factor is 1, TOPIC_REPLICATION_FACTOR asks for 2`,
        `topic ${topics.TOPIC_CALL_RECORDS}: retention.ms is 3600000, TOPIC_RETENTION_MS asks for -1 (for ever)`,
        `topic ${topics.TOPIC_CALL_RECORDS}: max.message.bytes is 1048588, callstream needs 4194304`,
        `topic ${topics.TOPIC_REJECTED}: replication factor is 1, TOPIC_REPLICATION_FACTOR asks for 2`,
        `topic ${topics.TOPIC_DLQ}: replication factor is 1, TOPIC_REPLICATION_FACTOR asks for 2`,
        'fix the topics (kafka-topics / kafka-configs) or the variables named above',
        '',
      ].join('\n'),
    );
  });

  it('a replication factor the cluster cannot give: one line naming TOPIC_REPLICATION_FACTOR, exit 1, nothing created', async () => {
    const topics = topicEnv();
    const result = await setup({ ...topics, TOPIC_REPLICATION_FACTOR: '3' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Kafka refused to create topic \\S+: INVALID_REPLICATION_FACTOR: .*\\(TOPIC_REPLICATION_FACTOR is more than the brokers the cluster has\\)\\n$`,
      ),
    );
    const admin = kafka.admin();
    await admin.connect();
    const existing = await admin.listTopics();
    await admin.disconnect();
    expect(Object.values(topics).filter((topic) => existing.includes(topic))).toEqual([]);
  });
});
