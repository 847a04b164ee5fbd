import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatStorage, isFormatted, portAcceptsConnections, spawnBroker, untilListening } from './local-kafka/broker-process.ts';
import { resolveKafkaJars, type KafkaRelease } from './local-kafka/jars.ts';
import { ensureBrokerTls, formatScramArguments, type LocalKafkaSecurity, type ScramMechanism } from './local-kafka/security.ts';
import { serverProperties, serverPropertiesFile, type NodeLayout } from './local-kafka/server-properties.ts';

/**
 * A single-node Apache Kafka broker in KRaft mode for development and tests, run from the pinned jars
 * (local-kafka/jars.ts) with its data under .local/ or a test's directory. A three-node cluster is in
 * local-kafka/cluster.ts; a SASL_SSL listener in local-kafka/security.ts.
 */
export { kafkaLoggingOption, kafkaVersion, REPO_ROOT, resolveKafkaJars, type KafkaRelease } from './local-kafka/jars.ts';
export { portAcceptsConnections } from './local-kafka/broker-process.ts';
export { setScramPassword, type LocalKafkaSecurity, type ScramMechanism, type ScramUser } from './local-kafka/security.ts';
export {
  localKafkaClusterPorts,
  startLocalKafkaCluster,
  type LocalKafkaCluster,
  type LocalKafkaClusterOptions,
  type LocalKafkaNode,
} from './local-kafka/cluster.ts';

export interface LocalKafka {
  brokers: string[];
  port: number;
  process: ChildProcess;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  release: KafkaRelease;
  /** Where the tools connect without credentials: the client listener, or a secure broker's internal one. */
  toolsBootstrap: string;
  /** A secure broker's CA certificate (PEM), for KAFKA_SSL_CA_FILE. */
  caFile?: string;
  scramMechanism?: ScramMechanism;
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
  /**
   * A SASL_SSL listener (SCRAM over TLS) on `port` instead of PLAINTEXT. The CA, the broker certificate
   * and the SCRAM users are made when the data directory is first formatted.
   */
  security?: LocalKafkaSecurity;
  /** A secure broker's PLAINTEXT listener for inter-broker traffic and the tools (default port + 2). */
  internalPort?: number;
}

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const release = options.release ?? 'current';
  const lib = resolveKafkaJars(release);
  const security = options.security;
  const node: NodeLayout = {
    id: 1,
    port: options.port,
    controllerPort: options.controllerPort ?? options.port + 1,
    internalPort: security ? (options.internalPort ?? options.port + 2) : undefined,
    dataDir: options.dataDir,
  };
  const heapMb = options.heapMb ?? 512;
  mkdirSync(options.dataDir, { recursive: true });
  const tls = security ? await ensureBrokerTls(join(options.dataDir, 'tls')) : undefined;
  writeFileSync(serverPropertiesFile(node), serverProperties(node, [node], security && { mechanism: security.scram.mechanism, tls: tls! }));
  if (!isFormatted(node)) await formatStorage(release, lib, node, randomUUID(), formatScramArguments(security));
  for (const port of [node.port, ...(node.internalPort === undefined ? [] : [node.internalPort])]) {
    if (await portAcceptsConnections(port)) {
      throw new Error(`port ${port} is already taken; set KAFKA_BROKERS to use a running broker`);
    }
  }
  // The steps above are quick: a signal that came during them is seen here, before the spawn.
  options.signal?.throwIfAborted();
  const broker = spawnBroker(release, lib, node, heapMb, options.logFile);
  try {
    await untilListening(broker.process, options.port, options.logFile, options.signal);
  } catch (error) {
    await broker.stop();
    throw error;
  }
  return {
    brokers: [`127.0.0.1:${options.port}`],
    port: options.port,
    process: broker.process,
    stop: broker.stop,
    release,
    toolsBootstrap: `127.0.0.1:${node.internalPort ?? node.port}`,
    caFile: tls?.caFile,
    scramMechanism: security?.scram.mechanism,
  };
}
