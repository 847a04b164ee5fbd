import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A single-node Apache Kafka broker in KRaft mode for development and tests. Maven resolves the pinned
 * jars from Maven Central once (kafka/pom.xml); the broker runs from them with its data under .local/.
 */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const POM = join(REPO_ROOT, 'kafka', 'pom.xml');
const LIB_DIR = join(REPO_ROOT, '.local', 'kafka', 'lib');
const LOG4J = join(REPO_ROOT, 'kafka', 'log4j.properties');

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
  /**
   * Aborting stops the broker if it was spawned (it runs in a process group of its own, so a terminal's
   * Ctrl-C never reaches it) and rejects once it has exited: nothing is left behind half-started.
   */
  signal?: AbortSignal;
}

function pomVersion(): string {
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'))![1]!;
}

/** Copies the Kafka jars into .local/kafka/lib unless the pinned version is already there. */
export function resolveKafkaJars(): string {
  const marker = join(LIB_DIR, '.version');
  const version = pomVersion();
  if (existsSync(marker) && readFileSync(marker, 'utf8') === version) return LIB_DIR;
  mkdirSync(LIB_DIR, { recursive: true });
  process.stderr.write(`resolving Kafka ${version} from Maven Central (first run only)…\n`);
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-Dstyle.color=never', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${LIB_DIR}`, '-DincludeScope=runtime'],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`mvn could not resolve Kafka ${version} (exit ${result.status}): ${result.stdout}${result.stderr}`);
  }
  writeFileSync(marker, version);
  return LIB_DIR;
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

function java(lib: string, args: string[], heapMb: number): string[] {
  return [`-Xms${heapMb}m`, `-Xmx${heapMb}m`, `-Dlog4j.configuration=file:${LOG4J}`, '-cp', `${lib}/*`, ...args];
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
  const lib = resolveKafkaJars();
  const controllerPort = options.controllerPort ?? options.port + 1;
  const heapMb = options.heapMb ?? 512;
  mkdirSync(options.dataDir, { recursive: true });
  const config = join(options.dataDir, 'server.properties');
  writeFileSync(config, serverProperties(options, controllerPort));
  if (!existsSync(join(options.dataDir, 'log', 'meta.properties'))) {
    const format = spawnSync(
      'java',
      java(lib, ['kafka.tools.StorageTool', 'format', '--ignore-formatted', '-t', randomUUID(), '-c', config], 256),
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
  const child = spawn('java', java(lib, ['kafka.Kafka', config], heapMb), { stdio: ['ignore', log, log], detached: true });
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
