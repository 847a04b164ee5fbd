import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { portAcceptsConnections } from '../../scripts/local-kafka.ts';
import { freeConsecutivePorts } from '../../kit/consecutive-ports.ts';
import { freePort } from '../../kit/ports.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { testKafka } from '../../kit/topics.ts';
import { eventually } from '../support/pipeline.ts';

/**
 * The README's promise: `npm start` brings the whole pipeline up (its own Kafka included), the curls it
 * prints work as pasted, and Ctrl-C or SIGTERM leaves no process and no listening port behind.
 */
const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const expectedLookup = JSON.parse(readFileSync(join(root, 'test/fixtures/seed-000-call-history.json'), 'utf8'));

interface Started {
  pid: number;
  output: () => string;
  /** How npm ended: npm re-raises the signal its script ended on, as a shell would report Ctrl-C. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ports: number[];
}

interface Spawned extends Started {
  stderr: () => string;
}

/** kafkaPorts: how many consecutive ports its own Kafka takes (2 per node: client and controller). */
async function spawnNpmStart(env: Record<string, string>, kafkaPorts = 2): Promise<Spawned> {
  const kafkaPort = await freeConsecutivePorts(kafkaPorts);
  const ports = { INGRESS_PORT: await freePort(), QUERY_PORT: await freePort(), CONSUMER_PORT: await freePort() };
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BROKERS: '',
      LOCAL_KAFKA_PORT: String(kafkaPort),
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      ...env,
    },
    detached: true, // its own process group, as a terminal's foreground job is
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => {
    output += chunk;
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    pid: child.pid!,
    output: () => output,
    stderr: () => stderr,
    exited,
    ports: [...Array.from({ length: kafkaPorts }, (_, index) => kafkaPort + index), ...Object.values(ports)],
  };
}

async function npmStart(env: Record<string, string>, kafkaPorts = 2): Promise<Spawned> {
  const started = await spawnNpmStart(env, kafkaPorts);
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void started.exited.then((how) => (ended = how));
  // An npm start that gave up (a port taken meanwhile by another run) is reported at once, with its output.
  const up = async () => (started.output().includes('Ctrl-C stops everything.') ? true : ended ? false : undefined);
  const came = await eventually(up, 120_000).catch((error: Error) => {
    process.kill(-started.pid, 'SIGINT');
    throw new Error(`npm start did not come up: ${error.message}\n${started.output()}`);
  });
  if (!came) throw new Error(`npm start exited (${JSON.stringify(ended)}) before it came up:\n${started.output()}`);
  return started;
}

/**
 * Pids of the Kafka JVMs whose data lives under stateDir (each runs in a process group of its own): the
 * single node's (kafka/data) and the three-node cluster's (kafka/cluster-3/node-<i>).
 */
function brokerPids(stateDir: string): number[] {
  const kafkaDir = join(stateDir, 'kafka');
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.some((arg) => arg.startsWith(`${kafkaDir}/`) && arg.endsWith('/server.properties'));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

function printedCurl(output: string, marker: string): string {
  const lines = output.split('\n');
  return lines[lines.findIndex((line) => line.startsWith(marker)) + 1]!.trim();
}

/** Runs the two printed curls as pasted: the seed call is accepted, then looked up. Returns the lookup curl. */
async function expectPrintedCurlsWork(started: Spawned): Promise<string> {
  const post = await exec('bash', ['-c', printedCurl(started.output(), 'Send the seed-000 sample callback:')], { cwd: root });
  expect(JSON.parse(post.stdout)).toMatchObject({ status: 'accepted', callId: expectedLookup.callId });

  const lookupCurl = printedCurl(started.output(), 'Look the call up:');
  const body = await eventually(async () => {
    const { stdout } = await exec('bash', ['-c', lookupCurl]);
    const parsed = JSON.parse(stdout);
    return parsed.error ? undefined : parsed;
  }, 10_000);
  const { customer, ...rest } = body;
  const { customer: expectedCustomer, ...expectedRest } = expectedLookup;
  expect(rest).toEqual(expectedRest);
  expect(Object.keys(customer)).toEqual(Object.keys(expectedCustomer));
  return lookupCurl;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** npm start exited after a signal (by itself, or by the signal), said so, and left no process or port behind. */
async function expectStoppedBy(started: Spawned, signal: NodeJS.Signals, ports = started.ports): Promise<void> {
  expect([
    { code: 0, signal: null },
    { code: null, signal },
  ]).toContainEqual(await started.exited);
  expect(started.output()).toMatch(/stopping…\nstopped\n/);
  await eventually(async () => (groupAlive(started.pid) ? undefined : true), 30_000);
  for (const port of ports) expect(await portAcceptsConnections(port)).toBe(false);
}

describe('npm start', () => {
  let db: TestDatabase;
  let stateDir: string;
  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    stateDir = mkdtempSync(join(tmpdir(), 'callstream-start-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs the pipeline: the printed curls store and return the seed call; Ctrl-C stops everything', { timeout: 180_000 }, async () => {
    const started = await npmStart({ DATABASE_URL: db.url, LOCAL_STATE_DIR: stateDir });
    try {
      const lookupCurl = await expectPrintedCurlsWork(started);

      // A second npm start on the same ports refuses before it starts anything or claims to run.
      const [kafkaPort, controllerPort, ingressPort, queryPort, consumerPort] = started.ports;
      const second = await spawnNpmStart({
        DATABASE_URL: db.url,
        LOCAL_STATE_DIR: stateDir,
        LOCAL_KAFKA_PORT: String(kafkaPort),
        INGRESS_PORT: String(ingressPort),
        QUERY_PORT: String(queryPort),
        CONSUMER_PORT: String(consumerPort),
      });
      expect(await second.exited).toEqual({ code: 1, signal: null });
      expect(second.stderr()).toBe(
        `LOCAL_KAFKA_PORT ${kafkaPort} is already in use; LOCAL_KAFKA_PORT+1 (Kafka controller) ${controllerPort} is already in use; ` +
          `INGRESS_PORT ${ingressPort} is already in use; QUERY_PORT ${queryPort} is already in use; CONSUMER_PORT ${consumerPort} is already in use\n`,
      );
      expect(second.output()).not.toContain('starting Kafka');
      expect(second.output()).not.toContain('is running');
      // Against the first one's broker, only the services' ports clash: found before anything claims to run.
      const third = await spawnNpmStart({
        DATABASE_URL: db.url,
        LOCAL_STATE_DIR: stateDir,
        KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
        INGRESS_PORT: String(ingressPort),
        QUERY_PORT: String(queryPort),
        CONSUMER_PORT: String(consumerPort),
      });
      expect(await third.exited).toEqual({ code: 1, signal: null });
      expect(third.stderr()).toBe(
        `INGRESS_PORT ${ingressPort} is already in use; QUERY_PORT ${queryPort} is already in use; CONSUMER_PORT ${consumerPort} is already in use\n`,
      );
      expect(third.output()).not.toContain('is running');
      // The first instance is untouched.
      expect(JSON.parse((await exec('bash', ['-c', lookupCurl])).stdout)).toMatchObject({ callId: expectedLookup.callId });
    } finally {
      process.kill(-started.pid, 'SIGINT'); // what Ctrl-C does: the whole foreground group gets SIGINT
    }
    await expectStoppedBy(started, 'SIGINT');
  });

  it(
    'runs a three-node cluster with LOCAL_KAFKA_NODES=3: replicated topics, the printed curls work; Ctrl-C stops all three nodes',
    { timeout: 180_000 },
    async () => {
      const started = await npmStart({ DATABASE_URL: db.url, LOCAL_STATE_DIR: stateDir, LOCAL_KAFKA_NODES: '3' }, 6);
      try {
        expect(brokerPids(stateDir)).toHaveLength(3);
        await expectPrintedCurlsWork(started);
        const kafkaPort = started.ports[0]!;
        const admin = testKafka([kafkaPort, kafkaPort + 2, kafkaPort + 4].map((port) => `127.0.0.1:${port}`)).admin();
        await admin.connect();
        try {
          const [metadata] = (await admin.fetchTopicMetadata({ topics: ['call-records.v1'] })).topics;
          expect(metadata!.partitions.map(({ replicas }) => [...replicas].sort())).toEqual(Array(6).fill([1, 2, 3]));
          const { resources } = await admin.describeConfigs({
            includeSynonyms: false,
            resources: [{ type: 2 /* TOPIC */, name: 'call-records.v1', configNames: ['min.insync.replicas'] }],
          });
          expect(resources[0]!.configEntries.map(({ configValue }) => configValue)).toEqual(['2']);
        } finally {
          await admin.disconnect();
        }
        // A second one on the same ports names every port the cluster holds, before it starts anything.
        const [, ingressPort, queryPort, consumerPort] = started.ports.slice(5);
        const second = await spawnNpmStart({
          DATABASE_URL: db.url,
          LOCAL_STATE_DIR: stateDir,
          LOCAL_KAFKA_NODES: '3',
          LOCAL_KAFKA_PORT: String(kafkaPort),
          INGRESS_PORT: String(ingressPort),
          QUERY_PORT: String(queryPort),
          CONSUMER_PORT: String(consumerPort),
        });
        expect(await second.exited).toEqual({ code: 1, signal: null });
        expect(second.stderr()).toBe(
          [
            `LOCAL_KAFKA_PORT ${kafkaPort}`,
            `LOCAL_KAFKA_PORT+1 (Kafka node 1 controller) ${kafkaPort + 1}`,
            `LOCAL_KAFKA_PORT+2 (Kafka node 2) ${kafkaPort + 2}`,
            `LOCAL_KAFKA_PORT+3 (Kafka node 2 controller) ${kafkaPort + 3}`,
            `LOCAL_KAFKA_PORT+4 (Kafka node 3) ${kafkaPort + 4}`,
            `LOCAL_KAFKA_PORT+5 (Kafka node 3 controller) ${kafkaPort + 5}`,
            `INGRESS_PORT ${ingressPort}`,
            `QUERY_PORT ${queryPort}`,
            `CONSUMER_PORT ${consumerPort}`,
          ]
            .map((port) => `${port} is already in use`)
            .join('; ') + '\n',
        );
        expect(second.output()).not.toContain('starting Kafka');
      } finally {
        process.kill(-started.pid, 'SIGINT');
      }
      try {
        await expectStoppedBy(started, 'SIGINT');
        expect(brokerPids(stateDir)).toEqual([]);
      } finally {
        for (const pid of brokerPids(stateDir)) process.kill(pid, 'SIGKILL'); // a JVM left behind must not outlive the test
      }
    },
  );

  it('stops everything on SIGTERM to npm alone, and restarts on the Kafka data it kept', { timeout: 180_000 }, async () => {
    const started = await npmStart({ DATABASE_URL: db.url, LOCAL_STATE_DIR: stateDir });
    process.kill(started.pid, 'SIGTERM');
    await expectStoppedBy(started, 'SIGTERM');
  });

  it('stops the Kafka JVM it was starting on Ctrl-C, leaving no process and no port behind', { timeout: 180_000 }, async () => {
    const started = await spawnNpmStart({ DATABASE_URL: db.url, LOCAL_STATE_DIR: stateDir });
    try {
      await eventually(async () => (started.output().includes('starting Kafka on') ? true : undefined), 60_000);
      // The JVM exists but is not listening yet: the moment the launcher waits for it.
      await eventually(async () => (brokerPids(stateDir).length > 0 ? true : undefined), 60_000);
      expect(await portAcceptsConnections(started.ports[0]!)).toBe(false);
      process.kill(-started.pid, 'SIGINT');
      await expectStoppedBy(started, 'SIGINT');
      expect(started.output()).not.toContain('is running');
      expect(brokerPids(stateDir)).toEqual([]);
    } finally {
      for (const pid of brokerPids(stateDir)) process.kill(pid, 'SIGKILL'); // the leak this guards against must not spill over
    }
  });

  it('refuses equal ports with one line naming both variables, before starting anything', async () => {
    const port = String(await freePort());
    const started = await spawnNpmStart({ DATABASE_URL: db.url, LOCAL_STATE_DIR: stateDir, INGRESS_PORT: port, QUERY_PORT: port });
    expect(await started.exited).toEqual({ code: 1, signal: null });
    expect(started.stderr()).toBe(
      `invalid environment: INGRESS_PORT and QUERY_PORT are both ${port}; every port npm start listens on must differ\n`,
    );
    expect(started.output()).not.toContain('starting Kafka');
  });

  it('refuses a port in use with one line naming it and its variable, before starting anything', { timeout: 60_000 }, async () => {
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((done) => taken.listen(port, '127.0.0.1', done));
    try {
      const started = await spawnNpmStart({ DATABASE_URL: db.url, LOCAL_STATE_DIR: stateDir, INGRESS_PORT: String(port) });
      expect(await started.exited).toEqual({ code: 1, signal: null });
      expect(started.stderr()).toBe(`INGRESS_PORT ${port} is already in use\n`);
      expect(started.output()).not.toContain('starting Kafka');
      expect(started.output()).not.toContain('is running');
      expect(brokerPids(stateDir)).toEqual([]);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  it(
    'reports a service that cannot listen (its port taken after the check) in its own line, and stops what it started',
    { timeout: 120_000 },
    async () => {
      const started = await spawnNpmStart({ DATABASE_URL: db.url, LOCAL_STATE_DIR: stateDir });
      const ingressPort = started.ports[2]!;
      const taken: Server = createServer();
      try {
        // The ports were checked before this line; the services start only once Kafka listens.
        await eventually(async () => (started.output().includes('starting Kafka on') ? true : undefined), 60_000);
        await new Promise<void>((done) => taken.listen(ingressPort, '127.0.0.1', done));
        expect(await started.exited).toEqual({ code: 1, signal: null });
        expect(started.stderr()).toBe(`INGRESS_PORT ${ingressPort} is already in use\n`);
        expect(started.output()).toMatch(/stopping…\nstopped\n$/);
        expect(started.output()).not.toContain('is running');
        await eventually(async () => (groupAlive(started.pid) ? undefined : true), 30_000);
        expect(brokerPids(stateDir)).toEqual([]);
        for (const port of started.ports.filter((port) => port !== ingressPort)) expect(await portAcceptsConnections(port)).toBe(false);
      } finally {
        await new Promise((done) => taken.close(done));
        for (const pid of brokerPids(stateDir)) process.kill(pid, 'SIGKILL');
      }
    },
  );
});
