import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startLocalKafka, type LocalKafka } from '../scripts/local-kafka.ts';
import { freePortPair } from './ports.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/**
 * What a run that injects faults (chaos, or a test of the services as processes) owns: its own Kafka broker (on free ports, data in a temporary directory, so it can
 * be stopped and restarted without disturbing anyone), and a TCP proxy in front of the machine's shared
 * Postgres. Postgres itself is never restarted (others use it): a "restart" is the proxy cutting every
 * connection plus pg_terminate_backend on the services' backends, which is what clients see of a restart.
 */
export interface FaultEnvironment {
  adminUrl: string;
  brokers: string[];
  proxy: TcpProxy;
  workDir: string;
  /** Stops the broker with the signal, leaves it down for downMs, starts it again on the same data. */
  restartKafka(signal: NodeJS.Signals, downMs: number): Promise<void>;
  /** Terminates the services' backends on the database, as a Postgres restart does to its clients. */
  terminateBackends(database: string): Promise<number>;
  close(): Promise<void>;
}

export interface FaultEnvironmentOptions {
  workDir: string;
  adminUrl?: string;
  /** Use this broker instead of starting one (then restartKafka is refused: the broker is not ours). */
  brokers?: string[];
}

export async function startFaultEnvironment(options: FaultEnvironmentOptions): Promise<FaultEnvironment> {
  const adminUrl = options.adminUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  mkdirSync(options.workDir, { recursive: true });
  const port = await freePortPair();
  const kafkaOptions = {
    port,
    controllerPort: port + 1,
    dataDir: join(options.workDir, `kafka-${randomBytes(3).toString('hex')}`),
    logFile: join(options.workDir, 'kafka.log'),
    heapMb: 384,
  };
  let kafka: LocalKafka | undefined = options.brokers ? undefined : await startLocalKafka(kafkaOptions);
  const brokers = options.brokers ?? kafka!.brokers;
  const target = new URL(adminUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });

  return {
    adminUrl,
    brokers,
    proxy,
    workDir: options.workDir,
    async restartKafka(signal, downMs) {
      if (!kafka) throw new Error('this environment uses a broker it did not start; it will not restart it');
      await kafka.stop(signal);
      await new Promise((done) => setTimeout(done, downMs));
      kafka = await startLocalKafka(kafkaOptions);
    },
    async terminateBackends(database) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        const { rowCount } = await client.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where datname = $1 and application_name in ('callstream-ingress', 'callstream-consumer', 'callstream-query')`,
          [database],
        );
        return rowCount ?? 0;
      } finally {
        await client.end();
      }
    },
    async close() {
      await proxy.close();
      await kafka?.stop();
    },
  };
}
