import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Config } from '../shared/config.ts';
import { StartupError } from '../shared/startup-error.ts';
import { isStartupReport } from '../shared/startup-report.ts';
import { REPO_ROOT } from './local-kafka.ts';

/**
 * One service (services/<name>/main.ts) as its own process, exactly as deployed and configured only by
 * the environment it is given: npm start, the chaos runs, the bench and the tests that kill, signal or
 * restart a service all start it here. Started means it reported listening over the IPC channel (a
 * health check alone could be answered by another instance holding the port), then, as asked, that it
 * answers /healthz or /readyz.
 */
export type ServiceName = 'ingress' | 'consumer' | 'query';

export const PORT_VARIABLE = { ingress: 'INGRESS_PORT', consumer: 'CONSUMER_PORT', query: 'QUERY_PORT' } as const satisfies Record<
  ServiceName,
  keyof Config
>;

/** listening: the IPC report only; healthy: then /healthz answers 200; ready: then /readyz answers 200. */
export type StartedWhen = 'listening' | 'healthy' | 'ready';

export interface ServiceProcessOptions {
  name: ServiceName;
  /** The whole environment of the child (see configEnvironment); its port variable is set from port. */
  env: Record<string, string>;
  port: number;
  /** Output appended to this file; kept in memory (output()) when not given. */
  logFile?: string;
  startedWhen?: StartedWhen;
  startTimeoutMs?: number;
  /** Node options before the script, e.g. --cpu-prof. */
  execArgv?: string[];
  /**
   * Another entry point in place of services/<name>/main.ts (relative to the repository), with its
   * arguments: a stand-in that reports listening the same way, such as the bench's bare baseline server.
   */
  entry?: { script: string; args?: string[] };
  /** A process group of its own, so that a terminal's Ctrl-C reaches only the parent, which stops it in order. */
  detached?: boolean;
  /** Aborting gives up waiting for the start (the process is left to the caller to stop). */
  signal?: AbortSignal;
}

export type ProcessExit = { code: number | null; signal: NodeJS.Signals | null };

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  url: string;
  /** The current incarnation. */
  readonly child: ChildProcess;
  /** The current incarnation's exit. */
  readonly exited: Promise<ProcessExit>;
  /** Settles once started as asked (startedWhen); rejects with a StartupError when it could not start. */
  readonly started: Promise<void>;
  /** Everything every incarnation printed so far (JSON log lines). */
  output(): string;
  /** Sends the signal, then SIGKILL after graceMs, and waits for the exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ProcessExit>;
  /** A new process with the same environment and port (after stop), started as the first one was. */
  restart(): Promise<void>;
  running(): boolean;
  /** Down because stop() was called and restart() was not: not a crash. */
  stoppedOnPurpose(): boolean;
}

const alive = new Set<ChildProcess>();

/** Spawns the service and returns at once; `started` says when (or whether) it is up. */
export function spawnService(options: ServiceProcessOptions): ServiceProcess {
  const { name, port } = options;
  const url = `http://127.0.0.1:${port}`;
  const startedWhen = options.startedWhen ?? 'ready';
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let memory = '';
  let stopped = false;
  let child!: ChildProcess;
  let exited!: Promise<ProcessExit>;
  let started!: Promise<void>;

  const output = () => (options.logFile ? readFileSync(options.logFile, 'utf8') : memory);
  const seeOutput = () => (options.logFile ? `see ${relative(REPO_ROOT, options.logFile)}` : `output:\n${memory.slice(-4_000)}`);

  const launch = () => {
    const log = options.logFile ? openSync(options.logFile, 'a') : undefined;
    const stdio: StdioOptions = log === undefined ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', log, log, 'ipc'];
    const script = join(REPO_ROOT, options.entry?.script ?? join('services', name, 'main.ts'));
    const own = spawn(process.execPath, [...(options.execArgv ?? []), '--import', 'tsx', script, ...(options.entry?.args ?? [])], {
      cwd: REPO_ROOT,
      env: { ...options.env, [PORT_VARIABLE[name]]: String(port) },
      stdio, // the channel carries only the service's start-up report
      detached: options.detached ?? false,
    });
    if (log !== undefined) closeSync(log); // the child has its own copy of the descriptor
    child = own;
    alive.add(own);
    own.stdout?.on('data', (chunk: Buffer) => (memory += chunk.toString('utf8')));
    own.stderr?.on('data', (chunk: Buffer) => (memory += chunk.toString('utf8')));
    exited = new Promise((done) =>
      own.once('exit', (code, signal) => {
        alive.delete(own);
        done({ code, signal });
      }),
    );
    started = untilStarted(own, exited);
    // Whoever awaits `started` sees its failure; nobody awaiting it is no unhandled rejection.
    started.catch(() => undefined);
  };

  async function untilStarted(own: ChildProcess, exit: Promise<ProcessExit>): Promise<void> {
    let failure: string | undefined;
    const listening = new Promise<void>((done) =>
      own.on('message', (message: unknown) => {
        if (!isStartupReport(message)) return;
        if ('listening' in message) done();
        else failure = message.startupFailed;
      }),
    );
    // The report is sent before the exit but may be read after it: give it a moment before giving up on it.
    const failed = exit.then(async ({ code, signal }): Promise<never> => {
      await new Promise((done) => setTimeout(done, 200));
      throw new StartupError('SERVICE_FAILED', failure ?? `${name} exited (${signal ?? code}) while starting; ${seeOutput()}`);
    });
    failed.catch(() => undefined); // an exit long after the start is no start-up failure
    const deadline = Date.now() + timeoutMs;
    const timedOut = (what: string) => new Error(`${name} did not ${what} within ${timeoutMs / 1000} s; ${seeOutput()}`);
    await settleFirst([listening, failed], timeoutMs, () => timedOut('report listening'), options.signal);
    if (startedWhen === 'listening') return;
    const path = startedWhen === 'healthy' ? '/healthz' : '/readyz';
    for (;;) {
      options.signal?.throwIfAborted();
      // The consumer reports listening before it joins Kafka, which may still fail.
      if (own.exitCode !== null || own.signalCode !== null) await failed;
      const ok = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw timedOut(`answer ${path}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  launch();
  return {
    name,
    port,
    url,
    get child() {
      return child;
    },
    get exited() {
      return exited;
    },
    get started() {
      return started;
    },
    output,
    async stop(signal = 'SIGTERM', graceMs = 30_000) {
      stopped = true;
      const own = child;
      if (own.exitCode === null && own.signalCode === null) {
        own.kill(signal);
        const timer = setTimeout(() => own.kill('SIGKILL'), graceMs);
        timer.unref();
        void exited.then(() => clearTimeout(timer));
      }
      return exited;
    },
    async restart() {
      stopped = false;
      launch();
      await started;
    },
    running: () => child.exitCode === null && child.signalCode === null,
    stoppedOnPurpose: () => stopped,
  };
}

/** Spawns the service and waits until it started as asked; one that could not is killed before this throws. */
export async function startService(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const service = spawnService(options);
  try {
    await service.started;
  } catch (error) {
    await service.stop('SIGKILL');
    throw error;
  }
  return service;
}

/** Every service process still running, killed: for the end of a run or a test file, whatever failed. */
export async function killAllServices(): Promise<void> {
  await Promise.all(
    [...alive].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Last resort when the parent dies some other way: never leave a service running. */
export function killAllServicesNow(): void {
  for (const child of alive) child.kill('SIGKILL');
}

/** The first of the promises to settle, or a rejection when the time is up or the signal aborts; nothing left pending. */
async function settleFirst(
  promises: Promise<unknown>[],
  timeoutMs: number,
  timeoutError: () => Error,
  signal?: AbortSignal,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), timeoutMs);
    if (!signal) return;
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([...promises, limit]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
