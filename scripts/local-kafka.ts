import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A single-node Apache Kafka broker in KRaft mode for development and tests. Maven resolves the pinned
 * jars from Maven Central once (kafka/pom.xml, the current 4.x release; kafka/3.9/pom.xml, the 3.9 line
 * kept as a client-side target); the broker runs from them with its data under .local/.
 */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export type KafkaRelease = 'current' | '3.9';

/** Where each release's pom is, and how its broker is told where its logging configuration is. */
const RELEASES: Record<KafkaRelease, { pom: string; logging: string }> = {
  current: {
    pom: join(REPO_ROOT, 'kafka', 'pom.xml'),
    logging: `-Dlog4j2.configurationFile=${join(REPO_ROOT, 'kafka', 'log4j2.properties')}`,
  },
  '3.9': {
    pom: join(REPO_ROOT, 'kafka', '3.9', 'pom.xml'),
    logging: `-Dlog4j.configuration=file:${join(REPO_ROOT, 'kafka', '3.9', 'log4j.properties')}`,
  },
};

export interface LocalKafka {
  brokers: string[];
  port: number;
  process: ChildProcess;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface LocalKafkaOptions {
  port: number;
  controllerPort?: number;
  dataDir: string;
  /** Where the broker's stdout and stderr go. */
  logFile: string;
  heapMb?: number;
  /** Which pinned release runs (default: the current one). */
  release?: KafkaRelease;
  /**
   * Aborting stops the broker if it was spawned (it runs in a process group of its own, so a terminal's
   * Ctrl-C never reaches it) and rejects once it has exited: nothing is left behind half-started.
   */
  signal?: AbortSignal;
}

export function kafkaVersion(release: KafkaRelease = 'current'): string {
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(RELEASES[release].pom, 'utf8'))![1]!;
}

/**
 * The directory of a release's jars, .local/kafka/<version>/lib, copied there by Maven on first use. Two
 * test runs may resolve at once: each copies into a directory of its own and renames it into place, so
 * neither ever runs from a half-copied one.
 */
export function resolveKafkaJars(release: KafkaRelease = 'current'): string {
  const version = kafkaVersion(release);
  const lib = join(REPO_ROOT, '.local', 'kafka', version, 'lib');
  if (existsSync(lib)) return lib;
  const staging = `${lib}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  process.stderr.write(`resolving Kafka ${version} from Maven Central (first run only)…\n`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      RELEASES[release].pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn could not resolve Kafka ${version} (exit ${result.status}): ${result.stdout}${result.stderr}`);
  }
  try {
    renameSync(staging, lib);
  } catch (error) {
    // Another run got there first: its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(lib)) throw error;
  }
  return lib;
}

function serverProperties(options: LocalKafkaOptions, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(options.dataDir, 'log')}`,
    'num.partitions=6',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/** The JVM option that points a release's broker or tool at its logging configuration. */
export const kafkaLoggingOption = (release: KafkaRelease = 'current'): string => RELEASES[release].logging;

function java(release: KafkaRelease, lib: string, args: string[], heapMb: number): string[] {
  return [`-Xms${heapMb}m`, `-Xmx${heapMb}m`, RELEASES[release].logging, '-cp', `${lib}/*`, ...args];
}

export function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const release = options.release ?? 'current';
  const lib = resolveKafkaJars(release);
  const controllerPort = options.controllerPort ?? options.port + 1;
  const heapMb = options.heapMb ?? 512;
  mkdirSync(options.dataDir, { recursive: true });
  const config = join(options.dataDir, 'server.properties');
  writeFileSync(config, serverProperties(options, controllerPort));
  if (!existsSync(join(options.dataDir, 'log', 'meta.properties'))) {
    const format = spawnSync(
      'java',
      java(release, lib, ['kafka.tools.StorageTool', 'format', '--ignore-formatted', '-t', randomUUID(), '-c', config], 256),
      { encoding: 'utf8' },
    );
    if (format.status !== 0) throw new Error(`kafka storage format failed: ${format.stderr || format.stdout}`);
  }
  if (await portAcceptsConnections(options.port)) {
    throw new Error(`port ${options.port} is already taken; set KAFKA_BROKERS to use a running broker`);
  }
  // The steps above are synchronous or quick: a signal that came during them is seen here, before the spawn.
  options.signal?.throwIfAborted();
  const log = openSync(options.logFile, 'a');
  // Its own process group: a terminal's Ctrl-C reaches only our process, which stops the broker after
  // the clients, so they can leave their consumer groups cleanly instead of leaving stale members behind.
  const child = spawn('java', java(release, lib, ['kafka.Kafka', config], heapMb), { stdio: ['ignore', log, log], detached: true });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await untilListening(child, options);
  } catch (error) {
    await stop();
    throw error;
  }
  return { brokers: [`127.0.0.1:${options.port}`], port: options.port, process: child, stop };
}

async function untilListening(child: ChildProcess, options: LocalKafkaOptions): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await portAcceptsConnections(options.port))) {
    options.signal?.throwIfAborted();
    if (child.exitCode !== null) throw new Error(`Kafka exited with code ${child.exitCode}; see ${options.logFile}`);
    if (Date.now() > deadline) throw new Error(`Kafka did not listen on ${options.port} within 60 s; see ${options.logFile}`);
    await new Promise((done) => setTimeout(done, 200));
  }
  options.signal?.throwIfAborted();
}
