import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startLocalKafka, startLocalKafkaCluster, type LocalKafka, type LocalKafkaCluster } from '../scripts/local-kafka.ts';
import { freeConsecutivePorts } from './consecutive-ports.ts';
import { freePortPair } from './ports.ts';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/**
 * What a run that injects faults (chaos, or a test of the services as processes) owns: its own Kafka (on free ports, data in a temporary directory, so it can
 * be stopped and restarted without disturbing anyone), and a TCP proxy in front of Postgres. That is the
 * machine's shared server, never restarted (others use it): there a "restart" is the proxy cutting every
 * connection plus pg_terminate_backend on the services' backends, which is what clients see of a restart.
 * Or it is a private cluster of the environment's own (kit/private-postgres.ts), which may be crashed.
 * Kafka is one broker, or a three-node cluster (replicated topics by default) whose nodes a scenario stops
 * and starts one at a time.
 */
export interface FaultEnvironment {
  adminUrl: string;
  brokers: string[];
  proxy: TcpProxy;
  workDir: string;
  /** The three-node cluster, when the environment runs one (kafkaNodes: 3). */
  cluster?: LocalKafkaCluster;
  /** The private Postgres cluster behind the proxy, when the environment runs one (postgres: 'private'). */
  postgres?: PrivatePostgres;
  /** Stops the single broker with the signal, leaves it down for downMs, starts it again on the same data. */
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
  /** 1 (the default): a single broker; 3: a local KRaft cluster of three nodes. */
  kafkaNodes?: 1 | 3;
  /** shared (the default): the server at adminUrl; private: a cluster of its own, stopped and removed by close(). */
  postgres?: 'shared' | 'private';
}

export async function startFaultEnvironment(options: FaultEnvironmentOptions): Promise<FaultEnvironment> {
  if (options.postgres === 'private' && options.adminUrl) throw new Error('a private Postgres has its own adminUrl');
  mkdirSync(options.workDir, { recursive: true });
  const postgres =
    options.postgres === 'private' ? await startPrivatePostgres({ logFile: join(options.workDir, 'postgres.log') }) : undefined;
  const adminUrl = postgres?.adminUrl ?? options.adminUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  try {
    return await startKafkaAndProxy(options, adminUrl, postgres);
  } catch (error) {
    await postgres?.close();
    throw error;
  }
}

async function startKafkaAndProxy(
  options: FaultEnvironmentOptions,
  adminUrl: string,
  postgres: PrivatePostgres | undefined,
): Promise<FaultEnvironment> {
  const dataDir = join(options.workDir, `kafka-${randomBytes(3).toString('hex')}`);
  let kafka: LocalKafka | undefined;
  let cluster: LocalKafkaCluster | undefined;
  let restart: (signal: NodeJS.Signals, downMs: number) => Promise<void> = async () => {
    throw new Error('this environment uses a broker it did not start; it will not restart it');
  };
  if (options.brokers) {
    // Not ours: nothing to start.
  } else if (options.kafkaNodes === 3) {
    cluster = await startLocalKafkaCluster({ nodes: 3, port: await freeConsecutivePorts(6), dataDir, logDir: options.workDir });
    restart = async () => {
      throw new Error('a cluster is restarted node by node: use cluster.node(id).stop() and .start()');
    };
  } else {
    const port = await freePortPair();
    const kafkaOptions = { port, controllerPort: port + 1, dataDir, logFile: join(options.workDir, 'kafka.log'), heapMb: 384 };
    kafka = await startLocalKafka(kafkaOptions);
    restart = async (signal, downMs) => {
      await kafka!.stop(signal);
      kafka = undefined;
      await new Promise((done) => setTimeout(done, downMs));
      kafka = await startLocalKafka(kafkaOptions);
    };
  }
  const brokers = options.brokers ?? cluster?.brokers ?? kafka!.brokers;
  const target = new URL(adminUrl);
  let proxy: TcpProxy;
  try {
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  } catch (error) {
    await (cluster ?? kafka)?.stop();
    throw error;
  }

  return {
    adminUrl,
    brokers,
    proxy,
    workDir: options.workDir,
    ...(cluster ? { cluster } : {}),
    ...(postgres ? { postgres } : {}),
    restartKafka: (signal, downMs) => restart(signal, downMs),
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
      await cluster?.stop();
      await postgres?.close();
    },
  };
}
