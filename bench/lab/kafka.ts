import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { ensureTopics } from '../../shared/kafka/client.ts';
import { startLocalKafka } from '../../scripts/local-kafka.ts';
import { freePortPair } from '../../test/support/ports.ts';

/**
 * The broker for a bench run: the one KAFKA_BROKERS names, or a fresh single-node broker on free ports
 * with its data in a temporary directory that goes with it. Every stage gets its own topics.
 */
export interface BenchKafka {
  brokers: string[];
  /** The broker's pid when the bench started it (for CPU accounting). */
  pid?: number;
  stop(): Promise<void>;
}

export async function startBenchKafka(brokersFromEnv: string[] | undefined, logDir: string): Promise<BenchKafka> {
  if (brokersFromEnv) return { brokers: brokersFromEnv, stop: async () => undefined };
  const dataDir = mkdtempSync(join(tmpdir(), 'callstream-bench-kafka-'));
  const port = await freePortPair();
  const kafka = await startLocalKafka({ port, controllerPort: port + 1, dataDir, logFile: join(logDir, 'kafka.log'), heapMb: 1024 });
  return {
    brokers: kafka.brokers,
    pid: kafka.process.pid,
    async stop() {
      await kafka.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TopicSet {
  callRecords: string;
  rejected: string;
  dlq: string;
}

const CREATE_ATTEMPTS = 5;

export async function createTopicSet(kafka: Kafka, label: string, partitions: number): Promise<TopicSet> {
  const suffix = randomBytes(4).toString('hex');
  const topics = {
    callRecords: `bench.${label}.call-records.${suffix}`,
    rejected: `bench.${label}.call-records.rejected.${suffix}`,
    dlq: `bench.${label}.call-records.dlq.${suffix}`,
  };
  // A broker starved of CPU or disk (a bulk load, a vacuum, other test runs) can take longer
  // than the admin client waits for the new partitions' leaders; creating them again is harmless.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ensureTopics(kafka, Object.values(topics), partitions);
      return topics;
    } catch (error) {
      if (attempt >= CREATE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
    }
  }
}
