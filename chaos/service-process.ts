import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../scripts/local-kafka.ts';

/**
 * One service (services/<name>/main.ts) as its own process, exactly as deployed and configured only
 * through the environment, so a scenario can SIGKILL it and start it again on the same port.
 */
export type ServiceName = 'ingress' | 'consumer' | 'query';

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  url: string;
  child: ChildProcess;
  /** Everything every incarnation printed so far (JSON log lines). */
  output(): string;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** A new process with the same environment and port (after stop). */
  restart(): Promise<void>;
  running(): boolean;
  /** Down because stop() was called and restart() was not: not a crash. */
  stoppedOnPurpose(): boolean;
}

const PORT_VARIABLE: Record<ServiceName, string> = { ingress: 'INGRESS_PORT', consumer: 'CONSUMER_PORT', query: 'QUERY_PORT' };
const alive = new Set<ChildProcess>();

export async function startService(
  name: ServiceName,
  port: number,
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<ServiceProcess> {
  let output = '';
  let stopped = false;
  let child!: ChildProcess;
  let exited!: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const url = `http://127.0.0.1:${port}`;

  const launch = async () => {
    child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services', name, 'main.ts')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', ...env, [PORT_VARIABLE[name]]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    alive.add(child);
    const own = child;
    own.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    own.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    exited = new Promise((done) =>
      own.once('exit', (code, signal) => {
        alive.delete(own);
        done({ code, signal });
      }),
    );
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (own.exitCode !== null || own.signalCode !== null) throw new Error(`${name} exited while starting:\n${output.slice(-4000)}`);
      const ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`${name} not ready within ${readyTimeoutMs} ms:\n${output.slice(-4000)}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  };
  await launch();

  return {
    name,
    port,
    url,
    get child() {
      return child;
    },
    output: () => output,
    async stop(signal = 'SIGTERM') {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async restart() {
      stopped = false;
      await launch();
    },
    running: () => child.exitCode === null && child.signalCode === null,
    stoppedOnPurpose: () => stopped,
  };
}

/** For the end of a run, whatever failed: no service outlives it. */
export async function killAllServices(): Promise<void> {
  await Promise.all(
    [...alive].map(
      (child) =>
        new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}
