import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfigOrExit } from '../shared/config.ts';
import { createPool } from '../shared/db/pool.ts';
import { createTenantRepository, type CreatedTenant } from '../shared/tenants/repository.ts';
import { REPO_ROOT, startLocalKafka, type LocalKafka } from './local-kafka.ts';
import { prepareDatabase, prepareTopics } from './prepare.ts';

/**
 * npm start: the whole pipeline on this machine. Starts a local Kafka unless KAFKA_BROKERS is set,
 * migrates Postgres, creates the topics, ensures a development tenant, runs the three services and prints
 * a curl for each. Ctrl-C (or SIGTERM) stops everything it started, Kafka last.
 */
const SERVICES = ['ingress', 'consumer', 'query'] as const;

const say = (line: string) => process.stdout.write(`${line}\n`);
const config = loadConfigOrExit(process.env);
const LOCAL = resolve(REPO_ROOT, config.LOCAL_STATE_DIR);
const LOGS = join(LOCAL, 'logs');
const DEV_TENANT_FILE = join(LOCAL, 'dev-tenant.json');
mkdirSync(LOGS, { recursive: true });

let kafka: LocalKafka | undefined;
const children = new Map<string, ChildProcess>();
let stopping = false;

/** Stops the services, then Kafka, then exits. Later signals (npm forwards the one the terminal sent) wait for it. */
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await kafka?.stop();
  say('stopped');
  process.exit(code);
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

async function waitForHealth(name: string, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const child = children.get(name);
    if (child?.exitCode !== null && child?.exitCode !== undefined) {
      throw new Error(`${name} exited with code ${child.exitCode}; see ${relative(REPO_ROOT, LOGS)}/${name}.log`);
    }
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy; see ${relative(REPO_ROOT, LOGS)}/${name}.log`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

try {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!process.env.KAFKA_BROKERS) {
    say(`starting Kafka on 127.0.0.1:${config.LOCAL_KAFKA_PORT} (log: ${relative(REPO_ROOT, LOGS)}/kafka.log)…`);
    kafka = await startLocalKafka({
      port: config.LOCAL_KAFKA_PORT,
      dataDir: join(LOCAL, 'kafka', 'data'),
      logFile: join(LOGS, 'kafka.log'),
    });
    env.KAFKA_BROKERS = kafka.brokers.join(',');
  }
  const brokers = env.KAFKA_BROKERS!.split(',');

  await prepareDatabase(config);
  const tenant = await ensureDevTenant();
  await prepareTopics(config, brokers);

  for (const name of SERVICES) {
    const log = openSync(join(LOGS, `${name}.log`), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'services', name, 'main.ts')], {
      env,
      cwd: REPO_ROOT,
      stdio: ['ignore', log, log],
      detached: true, // its own process group: Ctrl-C reaches this script, which stops services in order
    });
    child.once('exit', (code, signal) => {
      if (!stopping) {
        say(`${name} exited unexpectedly (${signal ?? code}); see ${relative(REPO_ROOT, LOGS)}/${name}.log`);
        void stopAll(1);
      }
    });
    children.set(name, child);
  }
  await Promise.all([
    waitForHealth('ingress', config.INGRESS_PORT),
    waitForHealth('consumer', config.CONSUMER_PORT),
    waitForHealth('query', config.QUERY_PORT),
  ]);

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
} catch (error) {
  say(`start failed: ${(error as Error).message}`);
  await stopAll(1);
}
