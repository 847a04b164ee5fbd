import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/local-kafka.ts';
import { freePort } from '../../kit/ports.ts';
import { eventually } from './pipeline.ts';

/**
 * services/consumer/main.ts as its own process, exactly as deployed, configured only through the
 * environment: for tests that kill it, signal it or cut its database away.
 */
export interface ConsumerProcess {
  child: ChildProcess;
  port: number;
  /** Everything it printed so far (JSON log lines). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  metrics(): Promise<string>;
  /** The HTTP status of GET path, e.g. /readyz. */
  status(path: string): Promise<number>;
}

export interface ConsumerProcessEnv {
  DATABASE_URL: string;
  KAFKA_BROKERS: string;
  TOPIC_CALL_RECORDS: string;
  TOPIC_DLQ: string;
  CONSUMER_GROUP: string;
}

const running = new Set<ChildProcess>();

export async function startConsumerProcess(env: ConsumerProcessEnv): Promise<ConsumerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services', 'consumer', 'main.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      CONSUMER_PORT: String(port),
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '2',
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
      CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
      CONSUMER_RETRY_INITIAL_MS: '100',
      CONSUMER_RETRY_MAX_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      done({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`the consumer exited with ${child.exitCode}:\n${output}`);
    // Ready: a member of its group, with Postgres reachable.
    return fetch(`${url}/readyz`).then((response) => response.ok || undefined, () => undefined);
  }, 30_000);
  return {
    child,
    port,
    output: () => output,
    exited,
    metrics: () => fetch(`${url}/metrics`).then((response) => response.text()),
    status: (path) => fetch(`${url}${path}`).then((response) => response.status),
  };
}

/** For afterAll: no consumer outlives its test file, whatever failed. */
export async function killConsumerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}
