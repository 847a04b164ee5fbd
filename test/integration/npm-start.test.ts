import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { portAcceptsConnections } from '../../scripts/local-kafka.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { freePort, freePortPair } from '../support/ports.ts';
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

async function npmStart(env: Record<string, string>): Promise<Started> {
  const kafkaPort = await freePortPair();
  const ports = { INGRESS_PORT: await freePort(), QUERY_PORT: await freePort(), CONSUMER_PORT: await freePort() };
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, ...env, KAFKA_BROKERS: '', LOCAL_KAFKA_PORT: String(kafkaPort), ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) },
    detached: true, // its own process group, as a terminal's foreground job is
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await eventually(async () => (output.includes('Ctrl-C stops everything.') ? true : undefined), 120_000).catch((error) => {
    process.kill(-child.pid!, 'SIGINT');
    throw new Error(`npm start did not come up: ${error.message}\n${output}`);
  });
  return { pid: child.pid!, output: () => output, exited, ports: [kafkaPort, kafkaPort + 1, ...Object.values(ports)] };
}

function printedCurl(output: string, marker: string): string {
  const lines = output.split('\n');
  return lines[lines.findIndex((line) => line.startsWith(marker)) + 1]!.trim();
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
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
    } finally {
      process.kill(-started.pid, 'SIGINT'); // what Ctrl-C does: the whole foreground group gets SIGINT
    }
    expect([{ code: 0, signal: null }, { code: null, signal: 'SIGINT' }]).toContainEqual(await started.exited);
    await eventually(async () => (groupAlive(started.pid) ? undefined : true), 30_000);
    expect(started.output()).toMatch(/stopping…\nstopped\n/);
    for (const port of started.ports) expect(await portAcceptsConnections(port)).toBe(false);
  });

  it('stops everything on SIGTERM to npm alone, and restarts on the Kafka data it kept', { timeout: 180_000 }, async () => {
    const started = await npmStart({ DATABASE_URL: db.url, LOCAL_STATE_DIR: stateDir });
    process.kill(started.pid, 'SIGTERM');
    expect([{ code: 0, signal: null }, { code: null, signal: 'SIGTERM' }]).toContainEqual(await started.exited);
    await eventually(async () => (groupAlive(started.pid) ? undefined : true), 30_000);
    expect(started.output()).toMatch(/stopping…\nstopped\n/);
    for (const port of started.ports) expect(await portAcceptsConnections(port)).toBe(false);
  });
});
