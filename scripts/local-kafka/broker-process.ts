import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { javaArguments, runKafkaTool, type KafkaRelease } from './jars.ts';
import { serverPropertiesFile, type NodeLayout } from './server-properties.ts';

/** One node's JVM: spawned from its server.properties, stopped with a signal. */
export interface BrokerProcess {
  process: ChildProcess;
  /** Stops the JVM (the signal, then SIGKILL after a grace period) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
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

export const isFormatted = (node: NodeLayout): boolean => existsSync(join(node.dataDir, 'log', 'meta.properties'));

/** Formats a node's log directory for the cluster id, with the tool's extra arguments (SCRAM users). */
export async function formatStorage(
  release: KafkaRelease,
  lib: string,
  node: NodeLayout,
  clusterId: string,
  extra: string[],
): Promise<void> {
  const args = ['kafka.tools.StorageTool', 'format', '--ignore-formatted', '-t', clusterId, '-c', serverPropertiesFile(node), ...extra];
  await runKafkaTool(release, lib, 'kafka storage format', args);
}

export function spawnBroker(release: KafkaRelease, lib: string, node: NodeLayout, heapMb: number, logFile: string): BrokerProcess {
  const log = openSync(logFile, 'a');
  // Its own process group: a terminal's Ctrl-C reaches only our process, which stops the broker after
  // the clients, so they can leave their consumer groups cleanly instead of leaving stale members behind.
  const child = spawn('java', javaArguments(release, lib, ['kafka.Kafka', serverPropertiesFile(node)], heapMb), {
    stdio: ['ignore', log, log],
    detached: true,
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  return { process: child, stop };
}

/** Resolves once the port accepts connections; rejects if the JVM exits, the deadline passes or the signal aborts. */
export async function untilListening(child: ChildProcess, port: number, logFile: string, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await portAcceptsConnections(port))) {
    signal?.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Kafka exited with ${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode}; see ${logFile}`);
    }
    if (Date.now() > deadline) throw new Error(`Kafka did not listen on ${port} within 60 s; see ${logFile}`);
    await new Promise((done) => setTimeout(done, 200));
  }
  signal?.throwIfAborted();
}
