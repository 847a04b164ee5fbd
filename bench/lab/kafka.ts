import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalKafka } from '../../scripts/local-kafka.ts';
import { freePortPair } from '../../kit/ports.ts';

/**
 * The broker for a bench run: the one KAFKA_BROKERS names, or a fresh single-node broker on free ports
 * with its data in a temporary directory that goes with it.
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
