import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError, configEnvironment, kafkaBrokers, loadConfigOrExit, wantsLocalKafka } from '../shared/config.ts';
import { npmStartPorts } from '../shared/npm-start-ports.ts';
import { createPool } from '../shared/db/pool.ts';
import { exitOnStartupFailure, needKafka, needPostgres, startupFailureLine } from '../shared/startup-error.ts';
import { createTenantRepository, type CreatedTenant } from '../shared/tenants/repository.ts';
import { REPO_ROOT, startLocalKafka, startLocalKafkaCluster } from './local-kafka.ts';
import { portsInUse } from './ports-in-use.ts';
import { prepareDatabase, prepareTopics } from './prepare.ts';
import { killAllServicesNow, PORT_VARIABLE, spawnService, type ServiceProcess } from './service-process.ts';

/**
 * npm start: the whole pipeline on this machine. Starts a local Kafka unless KAFKA_BROKERS is set (one
 * node, or a three-node cluster with LOCAL_KAFKA_NODES=3), migrates Postgres, creates the topics, ensures
 * a development tenant, runs the three services and prints a curl for each. Ctrl-C (or SIGTERM) stops
 * everything it started, Kafka last, at any moment: while it starts too. It refuses before starting
 * anything when its ports clash or are taken.
 */
const SERVICES = ['ingress', 'consumer', 'query'] as const;

const say = (line: string) => process.stdout.write(`${line}\n`);
const config = loadConfigOrExit(process.env);
const localKafka = wantsLocalKafka(config);
const LOCAL = resolve(REPO_ROOT, config.LOCAL_STATE_DIR);
const LOGS = join(LOCAL, 'logs');
const DEV_TENANT_FILE = join(LOCAL, 'dev-tenant.json');
const logOf = (name: string) => `${relative(REPO_ROOT, LOGS)}/${name}.log`;

/** The Kafka npm start runs itself, one node or three, as the rest of this script needs it. */
interface OwnKafka {
  brokers: string[];
  stop(): Promise<void>;
  /** SIGKILLs its JVMs, for the exit handler, where nothing can be awaited. */
  killNow(): void;
}

let kafka: OwnKafka | undefined;
/** The broker being started: a signal meanwhile must wait for its JVM to be gone. */
let kafkaStarting: Promise<OwnKafka> | undefined;
const children = new Map<string, ServiceProcess>();
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
  await Promise.all([...children.values()].map((child) => child.stop('SIGTERM', 15_000)));
  // A broker still starting is stopped by startLocalKafka itself, which settles once the JVM has exited.
  const broker = kafka ?? (await kafkaStarting?.catch(() => undefined));
  await broker?.stop();
  say('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// Last resort if this process dies some other way: never leave a service running.
process.on('exit', () => {
  killAllServicesNow();
  kafka?.killNow();
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

/**
 * The broker npm start runs itself is plaintext without SASL: services told to use TLS or SASL against it
 * would only be refused. Such settings are meant for a cluster of one's own, named by KAFKA_BROKERS.
 */
function refuseSecuritySettings(settings: typeof config): void {
  const set = (['KAFKA_SASL_MECHANISM', 'KAFKA_SSL'] as const).find((name) => settings[name] !== undefined && settings[name] !== false);
  if (set) {
    throw new ConfigError(
      `invalid environment: ${set} is set but KAFKA_BROKERS is not; the broker npm start runs itself is plaintext without SASL`,
    );
  }
}

/** One node (data in .local/kafka/data), or three (.local/kafka/cluster-3, kept apart: another cluster id). */
async function startOwnKafka(): Promise<OwnKafka> {
  const port = config.LOCAL_KAFKA_PORT;
  const signal = stopRequested.signal;
  if (config.LOCAL_KAFKA_NODES === 1) {
    say(`starting Kafka on 127.0.0.1:${port} (log: ${logOf('kafka')})…`);
    const broker = await startLocalKafka({ port, dataDir: join(LOCAL, 'kafka', 'data'), logFile: join(LOGS, 'kafka.log'), signal });
    return { brokers: broker.brokers, stop: () => broker.stop(), killNow: () => broker.process.kill('SIGKILL') };
  }
  say(
    `starting Kafka, three nodes, on 127.0.0.1:${port}, ${port + 2} and ${port + 4} (logs: ${logOf('kafka-1')}, kafka-2.log, kafka-3.log)…`,
  );
  const cluster = await startLocalKafkaCluster({ nodes: 3, port, dataDir: join(LOCAL, 'kafka', 'cluster-3'), logDir: LOGS, signal });
  return { brokers: cluster.brokers, stop: () => cluster.stop(), killNow: () => cluster.killNow() };
}

async function startUp(): Promise<void> {
  if (localKafka) refuseSecuritySettings(config);
  const ports = npmStartPorts(config, { localKafka });
  const taken = await portsInUse(ports);
  if (taken) throw taken;
  mkdirSync(LOGS, { recursive: true });
  const checkpoint = () => stopRequested.signal.throwIfAborted();
  checkpoint();

  if (localKafka) {
    kafkaStarting = startOwnKafka();
    kafka = await kafkaStarting;
  }
  const brokers = kafka?.brokers ?? kafkaBrokers(config);
  checkpoint();

  await needPostgres(config.DATABASE_URL, () => prepareDatabase(config));
  checkpoint();
  const tenant = await needPostgres(config.DATABASE_URL, ensureDevTenant);
  checkpoint();
  await needKafka(brokers, () => prepareTopics(config, brokers));
  checkpoint();

  // The services get this config, with the broker started here: the environment is built from it.
  const env = configEnvironment({ ...config, KAFKA_BROKERS: brokers });
  for (const name of SERVICES) {
    const child = spawnService({
      name,
      env,
      port: config[PORT_VARIABLE[name]],
      logFile: join(LOGS, `${name}.log`),
      // Listening as reported by the service itself, then /healthz: answered by this one, not by another holding the port.
      startedWhen: 'healthy',
      detached: true, // its own process group: Ctrl-C reaches this script, which stops services in order
      signal: stopRequested.signal,
    });
    void child.exited.then(({ code, signal }) => {
      if (running && !stopping) {
        say(`${name} exited unexpectedly (${signal ?? code}); see ${logOf(name)}`);
        void stopAll(1);
      }
    });
    children.set(name, child);
  }
  await Promise.all([...children.values()].map((child) => child.started));
  checkpoint();
  running = true;

  const sample = join(REPO_ROOT, 'examples', 'seed-000-callback.json');
  const callId = (JSON.parse(readFileSync(sample, 'utf8')) as { callId: string }).callId;
  say('');
  say(
    `callstream is running (tenant ${tenant.tenantId}, credentials in ${relative(REPO_ROOT, DEV_TENANT_FILE)}, logs in ${relative(REPO_ROOT, LOGS)}/)`,
  );
  say(
    `  ingress  http://127.0.0.1:${config.INGRESS_PORT}   query  http://127.0.0.1:${config.QUERY_PORT}   consumer  http://127.0.0.1:${config.CONSUMER_PORT}/readyz`,
  );
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
