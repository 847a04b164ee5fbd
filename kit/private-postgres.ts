import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.ts';

/**
 * A PostgreSQL cluster of a chaos run's own (initdb in a temporary directory, a free loopback port, TCP
 * only), so that a scenario may do to it what must never be done to the machine's shared server: SIGKILL
 * the postmaster, stop it in immediate mode, restart it. Stopped and its directory removed by close(), and
 * at the latest when the process exits (unless it is SIGKILLed itself).
 *
 * The postmaster is our own child, not pg_ctl's: a postmaster that pg_ctl starts is handed to PID 1, and
 * where PID 1 reaps nothing (a container's init that is not an init) a killed postmaster stays a zombie,
 * and the next start refuses its data directory ("lock file postmaster.pid already exists"). Stopping goes
 * through pg_ctl. initdb and pg_ctl refuse to run as root: as root, the cluster runs as the postgres user.
 */
export interface PrivatePostgres {
  /** The maintenance database as the superuser postgres (trust authentication, loopback only). */
  adminUrl: string;
  port: number;
  /** The postmaster's process id while it runs. */
  pid(): number | undefined;
  /**
   * SIGKILL to the postmaster, nothing else: no shutdown, no checkpoint. Resolves once it has exited and
   * its backends, orphaned, have noticed and exited too (the next start would refuse their shared memory).
   */
  kill(): Promise<void>;
  /** `pg_ctl stop -m <mode>`: immediate (no checkpoint: crash recovery at the next start) or fast (a clean shutdown). */
  stop(mode: 'immediate' | 'fast'): Promise<void>;
  /** Starts the postmaster on the same data; resolves once it accepts queries, after any crash recovery. */
  start(): Promise<StartReport>;
  /** Everything the server logged so far. */
  log(): string;
  close(): Promise<void>;
}

/** What the server's log says of a start. */
export interface StartReport {
  /** It found its data not properly shut down and replayed the WAL from its last checkpoint. */
  crashRecovery: boolean;
  /** Bytes of WAL replayed (from "redo starts at" to "redo done at"), when it replayed any. */
  walReplayedBytes?: number;
  /** The replay's own duration as the server reports it, in ms. */
  redoMs?: number;
  /** From the spawn to the first query answered. */
  readyAfterMs: number;
}

export interface PrivatePostgresOptions {
  /** The server binaries (initdb, pg_ctl, postgres). */
  binDir?: string;
  /** The server's log goes here too (it is kept after close, the data directory is not). */
  logFile?: string;
}

const execFileAsync = promisify(execFile);
const DEFAULT_BIN_DIR = '/usr/lib/postgresql/15/bin';

/** Who runs the cluster: ourselves, or the postgres user when we are root. */
function clusterUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (!entry) throw new Error('initdb refuses to run as root, and there is no postgres user to run the private cluster as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** A position in the WAL (`16/B374D848`) as a byte offset. */
export function lsnBytes(lsn: string): number {
  const [high, low] = lsn.split('/');
  return Number.parseInt(high!, 16) * 2 ** 32 + Number.parseInt(low!, 16);
}

/** What a start's log lines say of its recovery (the lines PostgreSQL 15 writes at LOG level). */
export function startReportOf(log: string, readyAfterMs: number): StartReport {
  const crashRecovery = /database system was (interrupted|not properly shut down)/.test(log);
  const from = /redo starts at ([0-9A-F]+\/[0-9A-F]+)/.exec(log)?.[1];
  const done = /redo done at ([0-9A-F]+\/[0-9A-F]+) .*elapsed: ([\d.]+) s/.exec(log);
  const replay =
    from && done
      ? { walReplayedBytes: lsnBytes(done[1]!) - lsnBytes(from), redoMs: Math.round(Number(done[2]) * 1_000) }
      : /redo is not required/.test(log)
        ? { walReplayedBytes: 0, redoMs: 0 }
        : {};
  return { crashRecovery, ...replay, readyAfterMs };
}

/** The processes whose parent is pid (the postmaster's backends and auxiliary processes). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat?.ppid === pid) children.push(Number(entry));
  }
  return children;
}

/** State and parent of a process from /proc/PID/stat (the name in parentheses may hold spaces). */
function statOf(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** Exited: gone, or a zombie nobody reaps (it holds no memory, no socket, no shared memory). */
const exited = (pid: number) => {
  const stat = statOf(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const binDir = options.binDir ?? DEFAULT_BIN_DIR;
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), 'callstream-postgres-'));
  const dataDir = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  const runAs = { ...(user ?? {}), env: { PATH: `${binDir}:/usr/bin:/bin`, LC_ALL: 'C.UTF-8' } };
  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const logFile = options.logFile ?? join(dir, 'server.log');
  const logFd = openSync(logFile, 'a');
  let postmaster: ChildProcess | undefined;
  let postmasterExit: Promise<void> = Promise.resolve();
  const running = () => postmaster !== undefined && postmaster.exitCode === null && postmaster.signalCode === null;
  // However the run ends, no cluster outlives it.
  const killNow = () => {
    if (running()) postmaster!.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  };
  process.once('exit', killNow);

  const pgCtl = (...args: string[]) => execFileAsync(join(binDir, 'pg_ctl'), ['-D', dataDir, ...args], runAs);

  async function start(): Promise<StartReport> {
    if (running()) throw new Error('the private Postgres is already running');
    const logStart = readFileSync(logFile, 'utf8').length;
    const spawned = Date.now();
    const child = spawn(
      join(binDir, 'postgres'),
      [
        '-D',
        dataDir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `port=${port}`,
        '-c',
        'unix_socket_directories=',
        '-c',
        'shared_buffers=32MB',
        '-c',
        'max_connections=100',
        '-c',
        'log_line_prefix=%m [%p] ',
      ],
      // Its own process group: a terminal's Ctrl-C reaches only the run, which stops it after the services.
      { ...runAs, stdio: ['ignore', logFd, logFd], detached: true },
    );
    postmaster = child;
    postmasterExit = new Promise((done) => child.once('exit', () => done()));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!running()) throw new Error(`the private Postgres exited while starting; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`the private Postgres did not accept queries within 120 s; see ${logFile}`);
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      // During crash recovery it answers 57P03 "the database system is starting up".
      const ok = await client.connect().then(
        () => client.query('select 1').then(() => true),
        () => false,
      );
      await client.end().catch(() => undefined);
      if (ok) break;
      await sleep(50);
    }
    return startReportOf(readFileSync(logFile, 'utf8').slice(logStart), Date.now() - spawned);
  }

  try {
    await execFileAsync(
      join(binDir, 'initdb'),
      // No fsync of initdb's own files: the machine does not crash, only the server does.
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions'],
      runAs,
    );
    await start();
  } catch (error) {
    killNow();
    process.off('exit', killNow);
    closeSync(logFd);
    throw error;
  }

  return {
    adminUrl,
    port,
    pid: () => (running() ? postmaster!.pid : undefined),
    async kill() {
      const pid = postmaster!.pid!;
      const children = childrenOf(pid);
      postmaster!.kill('SIGKILL');
      await postmasterExit;
      // Orphaned, each backend notices the postmaster's death at its next wait and exits.
      const deadline = Date.now() + 10_000;
      while (!children.every(exited) && Date.now() < deadline) await sleep(20);
      // One stuck in a long computation would hold the shared memory: it goes the same way.
      for (const child of children.filter((child) => !exited(child))) process.kill(child, 'SIGKILL');
      while (!children.every(exited)) await sleep(20);
    },
    async stop(mode) {
      await pgCtl('stop', '-m', mode, '-w', '-t', '60');
      await postmasterExit;
    },
    start,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async close() {
      if (running()) {
        postmaster!.kill('SIGQUIT');
        const timer = setTimeout(() => postmaster!.kill('SIGKILL'), 10_000);
        await postmasterExit;
        clearTimeout(timer);
      }
      closeSync(logFd);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      // Only now: a client of the server that dies of the stop unheard ends the process before this line.
      process.off('exit', killNow);
      if (existsSync(dir)) throw new Error(`could not remove ${dir}`);
    },
  };
}
