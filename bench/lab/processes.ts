import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/local-kafka.ts';

/**
 * Node child processes under test (the services through their own entry points, and the bare baseline
 * server): started with the environment they are given, ready once GET /healthz answers, stopped with
 * SIGTERM like an orchestrator would. With a profile directory they run under --cpu-prof, which writes
 * the profile when they exit.
 */
export interface NodeProcess {
  label: string;
  pid: number;
  origin: string;
  stop(): Promise<void>;
}

export interface NodeProcessOptions {
  label: string;
  /** Path relative to the repository, e.g. services/ingress/main.ts. */
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  logDir: string;
  profileDir?: string;
}

const HEALTH_DEADLINE_MS = 60_000;
const STOP_GRACE_MS = 30_000;

async function healthy(origin: string): Promise<boolean> {
  return fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((response) => response.ok, () => false);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
  });
}

export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  // A directory per process: tsx's module-loader worker thread writes a profile of its own next to the
  // main thread's (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile, thread 0 being the main one).
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, options.label)}`] : [];
  const log = openSync(join(options.logDir, `${options.label}.log`), 'a');
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(REPO_ROOT, options.script), ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: ['ignore', log, log],
  });
  const origin = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    const done = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await done;
    clearTimeout(timer);
  };

  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  while (!(await healthy(origin))) {
    if (child.exitCode !== null) throw new Error(`${options.label} exited with code ${child.exitCode}; see ${options.logDir}/${options.label}.log`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.label} was not healthy within ${HEALTH_DEADLINE_MS / 1000} s; see ${options.logDir}/${options.label}.log`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return { label: options.label, pid: child.pid!, origin, stop };
}
