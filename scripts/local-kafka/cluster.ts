import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka } from '../../shared/kafka/client.ts';
import { formatStorage, isFormatted, portAcceptsConnections, spawnBroker, untilListening, type BrokerProcess } from './broker-process.ts';
import { resolveKafkaJars, type KafkaRelease } from './jars.ts';
import { ensureBrokerTls, formatScramArguments, type LocalKafkaSecurity, type ScramMechanism } from './security.ts';
import { serverProperties, serverPropertiesFile, type NodeLayout, type SecureListener } from './server-properties.ts';

/**
 * A local KRaft cluster: each node a combined broker and controller on loopback, all of them voters of
 * the quorum, one storage format with a shared cluster id. With three nodes, topics created with the
 * broker's defaults have 3 replicas and min.insync.replicas=2, so one node may be stopped (and started
 * again on its data) while acks=all producers carry on: what chaos tests and `LOCAL_KAFKA_NODES=3 npm start`
 * run.
 *
 * Ports, from the base port: node i (1, 2, 3) listens for clients on port + 2(i-1) and as a controller on
 * port + 2(i-1) + 1. A secure cluster takes three ports per node: client (SASL_SSL) on port + 3(i-1),
 * controller on +1, internal PLAINTEXT on +2.
 */
export interface LocalKafkaClusterOptions {
  nodes: 1 | 3;
  /** The first node's client port; the others follow (see above). */
  port: number;
  /** Node i keeps its server.properties and log in dataDir/node-<i>; the cluster id is in dataDir/cluster.id. */
  dataDir: string;
  /** Node i writes its output to logDir/kafka-<i>.log (default: dataDir). */
  logDir?: string;
  /** Per node. 384 MB each lets three run next to the tests on a 2-core machine. */
  heapMb?: number;
  release?: KafkaRelease;
  /** Aborting stops every node spawned so far and rejects once they have exited. */
  signal?: AbortSignal;
  /** A SASL_SSL listener on every node's client port; one CA and one broker certificate (for 127.0.0.1) serve all. */
  security?: LocalKafkaSecurity;
}

export interface LocalKafkaNode {
  /** The node id (1-based), as kafkajs' metadata names leaders and replicas. */
  readonly id: number;
  /** host:port of its client listener. */
  readonly broker: string;
  /** Every port it listens on: client, controller, and a secure node's internal one. */
  readonly ports: readonly number[];
  readonly logFile: string;
  /** The running JVM; undefined while the node is stopped. */
  readonly process: ChildProcess | undefined;
  /** Stops the node (SIGTERM: controlled shutdown; SIGKILL: a crash) and waits for its JVM to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped node again on its data; resolves once it serves clients and the cluster lists it again. */
  start(): Promise<void>;
}

export interface LocalKafkaCluster {
  /** Every node's client listener, as KAFKA_BROKERS takes them. */
  brokers: string[];
  nodes: readonly LocalKafkaNode[];
  node(id: number): LocalKafkaNode;
  release: KafkaRelease;
  /** Where the tools connect without credentials: the client listeners, or a secure cluster's internal ones. */
  toolsBootstrap: string;
  caFile?: string;
  scramMechanism?: ScramMechanism;
  /** How many of the topic's partitions each running node leads, by node id. */
  partitionLeaders(topic: string): Promise<Map<number, number>>;
  /** The node leading most of the topic's partitions (the lowest id among equals). */
  leaderOfMostPartitions(topic: string): Promise<LocalKafkaNode>;
  /** Stops every node and waits for their JVMs to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILLs every JVM at once, for a process's exit handler, where nothing can be awaited. */
  killNow(): void;
}

const START_DEADLINE_MS = 120_000;

/** The nodes' ports, in the order of the scheme above. */
export function localKafkaClusterPorts(port: number, nodes: 1 | 3, secure = false): number[] {
  const perNode = secure ? 3 : 2;
  return Array.from({ length: nodes * perNode }, (_, index) => port + index);
}

function layouts(options: LocalKafkaClusterOptions): NodeLayout[] {
  const perNode = options.security ? 3 : 2;
  return Array.from({ length: options.nodes }, (_, index) => {
    const base = options.port + perNode * index;
    return {
      id: index + 1,
      port: base,
      controllerPort: base + 1,
      internalPort: options.security ? base + 2 : undefined,
      dataDir: join(options.dataDir, `node-${index + 1}`),
    };
  });
}

/** The id every node is formatted with: kept beside them, so a node formatted later (its data wiped) rejoins. */
function clusterId(dataDir: string): string {
  const file = join(dataDir, 'cluster.id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = randomUUID();
  writeFileSync(file, `${id}\n`);
  return id;
}

export async function startLocalKafkaCluster(options: LocalKafkaClusterOptions): Promise<LocalKafkaCluster> {
  const release = options.release ?? 'current';
  const lib = resolveKafkaJars(release);
  const heapMb = options.heapMb ?? 384;
  const logDir = options.logDir ?? options.dataDir;
  const security = options.security;
  const nodes = layouts(options);
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const secure: SecureListener | undefined = security && {
    mechanism: security.scram.mechanism,
    tls: await ensureBrokerTls(join(options.dataDir, 'tls')),
  };
  for (const node of nodes) {
    mkdirSync(node.dataDir, { recursive: true });
    writeFileSync(serverPropertiesFile(node), serverProperties(node, nodes, secure));
  }
  const id = clusterId(options.dataDir);
  await Promise.all(
    nodes.filter((node) => !isFormatted(node)).map((node) => formatStorage(release, lib, node, id, formatScramArguments(security))),
  );
  const ports = nodes.flatMap(portsOf);
  const taken = [];
  for (const port of ports) if (await portAcceptsConnections(port)) taken.push(port);
  if (taken.length > 0) throw new Error(`ports ${taken.join(', ')} are already taken; set KAFKA_BROKERS to use a running cluster`);
  options.signal?.throwIfAborted();

  const toolPorts = nodes.map(toolPort);
  const running = new Map<number, BrokerProcess>();
  const logFile = (node: NodeLayout) => join(logDir, `kafka-${node.id}.log`);
  const spawnNode = (node: NodeLayout) => {
    const broker = spawnBroker(release, lib, node, heapMb, logFile(node));
    running.set(node.id, broker);
    return broker;
  };
  const stopNode = async (node: NodeLayout, signal?: NodeJS.Signals) => {
    await running.get(node.id)?.stop(signal);
    running.delete(node.id);
  };
  const stopAll = (signal?: NodeJS.Signals) => Promise.all(nodes.map((node) => stopNode(node, signal))).then(() => undefined);
  const runningNodes = () => nodes.filter((node) => running.has(node.id));
  const serving = (signal?: AbortSignal) => untilServing(runningNodes(), signal);

  try {
    await Promise.all(nodes.map((node) => untilListening(spawnNode(node).process, node.port, logFile(node), options.signal)));
    await serving(options.signal);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const handles: LocalKafkaNode[] = nodes.map((node) => ({
    id: node.id,
    broker: `127.0.0.1:${node.port}`,
    ports: portsOf(node),
    logFile: logFile(node),
    get process() {
      return running.get(node.id)?.process;
    },
    stop: (signal) => stopNode(node, signal),
    async start() {
      if (running.has(node.id)) throw new Error(`Kafka node ${node.id} is running already`);
      const broker = spawnNode(node);
      try {
        await untilListening(broker.process, node.port, logFile(node), undefined);
        await serving();
      } catch (error) {
        // Stopped again, so that the caller may try once more and the cluster's stop has nothing half-started to find.
        await stopNode(node);
        throw error;
      }
    },
  }));
  const node = (nodeId: number) => {
    const found = handles.find((handle) => handle.id === nodeId);
    if (!found) throw new Error(`no Kafka node ${nodeId} in this cluster`);
    return found;
  };
  const partitionLeaders = (topic: string) => leadersOf(topic, runningNodes().map(toolPort));
  return {
    brokers: handles.map((handle) => handle.broker),
    nodes: handles,
    node,
    release,
    toolsBootstrap: toolPorts.map((port) => `127.0.0.1:${port}`).join(','),
    caFile: secure?.tls.caFile,
    scramMechanism: security?.scram.mechanism,
    partitionLeaders,
    async leaderOfMostPartitions(topic) {
      const counts = [...(await partitionLeaders(topic)).entries()].sort(([a, countA], [b, countB]) => countB - countA || a - b);
      if (counts.length === 0) throw new Error(`no partition of ${topic} has a leader`);
      return node(counts[0]![0]);
    },
    stop: stopAll,
    killNow() {
      for (const broker of running.values()) broker.process.kill('SIGKILL');
    },
  };
}

const portsOf = (node: NodeLayout): number[] => [
  node.port,
  node.controllerPort,
  ...(node.internalPort === undefined ? [] : [node.internalPort]),
];

const toolPort = (node: NodeLayout): number => node.internalPort ?? node.port;

const adminOf = (ports: readonly number[]) =>
  createKafka({ clientId: 'callstream-local-kafka', brokers: ports.map((port) => `127.0.0.1:${port}`), connection: {} }).admin();

/**
 * Until each running node answers requests itself (a KRaft broker takes requests only once it has caught
 * up and been unfenced) and its metadata lists every running node: a cluster clients can use, where
 * topics with three replicas can be created.
 */
async function untilServing(nodes: readonly NodeLayout[], signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  const expected = nodes.map((node) => node.id);
  for (const node of nodes) {
    for (;;) {
      signal?.throwIfAborted();
      const admin = adminOf([toolPort(node)]);
      const listed = await admin
        .connect()
        .then(() => admin.describeCluster())
        .then(({ brokers }) => brokers.map((broker) => broker.nodeId))
        .catch(() => [] as number[])
        .finally(() => admin.disconnect());
      if (expected.every((id) => listed.includes(id))) break;
      if (Date.now() > deadline) {
        throw new Error(`Kafka node ${node.id} did not serve with nodes ${expected.join(', ')} within ${START_DEADLINE_MS / 1000} s`);
      }
      await new Promise((done) => setTimeout(done, 500));
    }
  }
}

async function leadersOf(topic: string, toolPorts: readonly number[]): Promise<Map<number, number>> {
  const admin = adminOf(toolPorts);
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const counts = new Map<number, number>();
    for (const { leader } of topics[0]!.partitions) if (leader >= 0) counts.set(leader, (counts.get(leader) ?? 0) + 1);
    return counts;
  } finally {
    await admin.disconnect();
  }
}
