import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfigOrExit, npmStartPorts, wantsLocalKafka } from '../shared/config.ts';
import { createPool } from '../shared/db/pool.ts';
import { exitOnStartupFailure, needKafka, needPostgres, StartupError, startupFailureLine } from '../shared/startup-error.ts';
import { isStartupReport } from '../shared/startup-report.ts';
import { createTenantRepository, type CreatedTenant } from '../shared/tenants/repository.ts';
import { REPO_ROOT, startLocalKafka, type LocalKafka } from './local-kafka.ts';
import { portsInUse } from './ports-in-use.ts';
import { prepareDatabase, prepareTopics } from './prepare.ts';

/**
 * npm start: the whole pipeline on this machine. Starts a local Kafka unless KAFKA_BROKERS is set,
 * migrates Postgres, creates the topics, ensures a development tenant, runs the three services and prints
 * a curl for each. Ctrl-C (or SIGTERM) stops everything it started, Kafka last, at any moment: while it
 * starts too. It refuses before starting anything when its ports clash or are taken.
 */
const SERVICES = ['ingress', 'consumer', 'query'] as const;

const say = (line: string) => process.stdout.write(`${line}\n`);
const config = loadConfigOrExit(process.env);
const localKafka = wantsLocalKafka(process.env);
const LOCAL = resolve(REPO_ROOT, config.LOCAL_STATE_DIR);
const LOGS = join(LOCAL, 'logs');
const DEV_TENANT_FILE = join(LOCAL, 'dev-tenant.json');
const logOf = (name: string) => `${relative(REPO_ROOT, LOGS)}/${name}.log`;

let kafka: LocalKafka | undefined;
/** The broker being started: a signal meanwhile must wait for its JVM to be gone. */
let kafkaStarting: Promise<LocalKafka> | undefined;
const children = new Map<string, ChildProcess>();
/** Aborted when stopping begins: start-up checks it before each step and spawns nothing after it. */
const stopRequested = new AbortController();
let stopping = false;
let running = false;

/** Stops the services, then Kafka, then exits. Later signals (npm forwards the one the terminal sent) wait for it. */
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  stopRequested.abort();
  say('stopping…');
  await Promise.all([...children.values()].map(stopChild));
  // A broker still starting is stopped by startLocalKafka itself, which settles once the JVM has exited.
  const broker = kafka ?? (await kafkaStarting?.catch(() => undefined));
  await broker?.stop();
  say('stopped');
  process.exit(code);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// Last resort if this process dies some other way: never leave a service running.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGKILL');
  kafka?.process.kill('SIGKILL');
});

async function ensureDevTenant(): Promise<CreatedTenant> {
  const db = createPool(config.DATABASE_URL, 1, 'callstream-start');
  try {
    const tenants = createTenantRepository(db);
    if (existsSync(DEV_TENANT_FILE)) {
      const saved = JSON.parse(readFileSync(DEV_TENANT_FILE, 'utf8')) as CreatedTenant;
      if (await tenants.find(saved.tenantId)) return saved;
    }
    const created = await tenants.create({ name: 'development', timezone: 'Asia/Tokyo' });
    writeFileSync(DEV_TENANT_FILE, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
    return created;
  } finally {
    await db.end();
  }
}

/** The one-line reason a service gave for failing to start, if it gave one (over the IPC channel). */
const failures = new Map<string, string>();

/**
 * Resolves once the service reports that it listens. A health check alone is not enough: with the port
 * taken by another instance, that one would answer it. Rejects with the service's own one-line reason
 * (`INGRESS_PORT 8080 is already in use`) when it could not start.
 */
function untilListening(name: string, child: ChildProcess): Promise<void> {
  return new Promise<void>((done, fail) => {
    child.on('message', (message: unknown) => {
      if (!isStartupReport(message)) return;
      if ('listening' in message) done();
      else failures.set(name, message.startupFailed);
    });
    child.once('exit', () => void exitedWhileStarting(name).catch(fail));
  });
}

/** The report is sent before the exit but may be read after it: give it a moment before giving up on it. */
async function exitedWhileStarting(name: string): Promise<never> {
  await new Promise((done) => setTimeout(done, 200));
  const child = children.get(name)!;
  throw new StartupError('SERVICE_FAILED', failures.get(name) ?? `${name} exited (${child.signalCode ?? child.exitCode}) while starting; see ${logOf(name)}`);
}

async function waitForHealth(name: string, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    stopRequested.signal.throwIfAborted();
    const child = children.get(name)!;
    // The consumer reports listening before it joins Kafka, which may still fail.
    if (child.exitCode !== null || child.signalCode !== null) await exitedWhileStarting(name);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((response) => response.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy; see ${logOf(name)}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function startUp(): Promise<void> {
  const ports = npmStartPorts(config, { localKafka });
  const taken = await portsInUse(ports);
  if (taken) throw taken;
  mkdirSync(LOGS, { recursive: true });
  const checkpoint = () => stopRequested.signal.throwIfAborted();
  checkpoint();

  const env: NodeJS.ProcessEnv = { ...process.env };
  if (localKafka) {
    say(`starting Kafka on 127.0.0.1:${config.LOCAL_KAFKA_PORT} (log: ${logOf('kafka')})…`);
    kafkaStarting = startLocalKafka({
      port: config.LOCAL_KAFKA_PORT,
      dataDir: join(LOCAL, 'kafka', 'data'),
      logFile: join(LOGS, 'kafka.log'),
      signal: stopRequested.signal,
    });
    kafka = await kafkaStarting;
    env.KAFKA_BROKERS = kafka.brokers.join(',');
  }
  const brokers = kafka?.brokers ?? config.KAFKA_BROKERS;
  checkpoint();

  await needPostgres(config.DATABASE_URL, () => prepareDatabase(config));
  checkpoint();
  const tenant = await needPostgres(config.DATABASE_URL, ensureDevTenant);
  checkpoint();
  await needKafka(brokers, () => prepareTopics(config, brokers));
  checkpoint();

  const listening: Promise<void>[] = [];
  for (const name of SERVICES) {
    const log = openSync(join(LOGS, `${name}.log`), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services', name, 'main.ts')], {
      env,
      cwd: REPO_ROOT,
      stdio: ['ignore', log, log, 'ipc'], // the channel carries only the service's start-up report
      detached: true, // its own process group: Ctrl-C reaches this script, which stops services in order
    });
    child.once('exit', (code, signal) => {
      if (running && !stopping) {
        say(`${name} exited unexpectedly (${signal ?? code}); see ${logOf(name)}`);
        void stopAll(1);
      }
    });
    children.set(name, child);
    listening.push(untilListening(name, child));
  }
  await Promise.all(listening);
  checkpoint();
  await Promise.all([
    waitForHealth('ingress', config.INGRESS_PORT),
    waitForHealth('consumer', config.CONSUMER_PORT),
    waitForHealth('query', config.QUERY_PORT),
  ]);
  checkpoint();
  running = true;

  const sample = join(REPO_ROOT, 'examples', 'seed-000-callback.json');
  const callId = (JSON.parse(readFileSync(sample, 'utf8')) as { callId: string }).callId;
  say('');
  say(`callstream is running (tenant ${tenant.tenantId}, credentials in ${relative(REPO_ROOT, DEV_TENANT_FILE)}, logs in ${relative(REPO_ROOT, LOGS)}/)`);
  say(`  ingress  http://127.0.0.1:${config.INGRESS_PORT}   query  http://127.0.0.1:${config.QUERY_PORT}   consumer  http://127.0.0.1:${config.CONSUMER_PORT}/readyz`);
  say('');
  say('Send the seed-000 sample callback:');
  say(
    `  curl -sS -X POST "http://127.0.0.1:${config.INGRESS_PORT}/v1/tenants/${tenant.tenantId}/call-records" ` +
      `-H "Authorization: Bearer ${tenant.ingestToken}" -H "Content-Type: application/json" --data-binary @${sample}`,
  );
  say('');
  say('Look the call up:');
  say(
    `  curl -sS "http://127.0.0.1:${config.QUERY_PORT}/v1/calls/${callId}" ` +
      `-H "x-commubo-tenantId: ${tenant.tenantId}" -H "x-commubo-accessToken: ${tenant.accessToken}"`,
  );
  say('');
  say('Ctrl-C stops everything.');
}

try {
  await startUp();
} catch (error) {
  // Stopping made a step fail (Kafka going away under it): that is no start-up failure to report.
  if (!stopping) {
    if (kafka === undefined && kafkaStarting === undefined && children.size === 0) await exitOnStartupFailure(error);
    process.stderr.write(`${startupFailureLine(error) ?? `start failed: ${(error as Error).message}`}\n`);
    await stopAll(1);
  }
}
