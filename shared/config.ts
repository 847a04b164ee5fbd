import { z } from 'zod';
import { kafkaSettingsProblem, SECRET_VARIABLES } from './kafka/settings.ts';
import { TRACING_SECRET_VARIABLES, tracingVariables } from './tracing/settings.ts';

/**
 * The whole process configuration, read once from the environment at start.
 * Nothing else in the code base reads process.env: services receive the frozen result.
 */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * A plain decimal integer: Number() alone would also take "0x1F90", "1e3", " 12 " and "Infinity". One
 * message for every way to miss, so that the line says what is expected rather than what went wrong.
 */
function decimal(min: number, max: number, expected: string) {
  return z.string().regex(DECIMAL, expected).transform(Number).pipe(z.number().min(min, expected).max(max, expected));
}

const integer = (fallback: number, min = 0) =>
  decimal(min, Number.MAX_SAFE_INTEGER, `must be a decimal integer of at least ${min}`).default(fallback);
const port = (fallback: number, min: number, max = 65_535) =>
  decimal(min, max, `must be a decimal integer from ${min} to ${max}`).default(fallback);

/** host:port, or [IPv6]:port; no spaces, no scheme. */
const BROKER = /^(\[[0-9a-fA-F:.]+\]|[^\s:,[\]/]+):([1-9][0-9]{0,4})$/;
const BROKERS_EXPECTED = 'must be a comma-separated list of host:port (e.g. 127.0.0.1:9092)';
const brokerList = z
  .string()
  .transform((value) => value.split(',').map((broker) => broker.trim()))
  .refine((brokers) => brokers.every((broker) => BROKER.test(broker) && Number(BROKER.exec(broker)![2]) <= 65_535), BROKERS_EXPECTED);

/** `true` or `false`, as written in a shell or a compose file; nothing else is guessed at. */
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .default(fallback);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_METRICS_TENANTS = 100;

/** ERASURE_HASH_KEY when unset: known to everyone, so the CLI says when an erasure is audited under it. */
export const DEFAULT_ERASURE_HASH_KEY = 'callstream-development-erasure-key';

const configSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/callstream'),
  /** Connections per service; the consumer opens one more per partition it writes at once (below). */
  DATABASE_POOL_SIZE: integer(10, 1),
  /** Unset is told apart from the default: `npm start` then runs a broker of its own (see kafkaBrokers). */
  KAFKA_BROKERS: brokerList.optional(),
  /** Port of the broker that `npm start` runs itself when KAFKA_BROKERS is not set. */
  LOCAL_KAFKA_PORT: port(9092, 1, 65_534),
  /** Where `npm start` keeps its broker data, logs and development tenant (relative to the repository). */
  LOCAL_STATE_DIR: z.string().min(1).default('.local'),
  /** Brokers `npm start` runs itself when KAFKA_BROKERS is not set: 1, or 3 for a replicated cluster. */
  LOCAL_KAFKA_NODES: z.enum(['1', '3'], { error: 'must be 1 or 3' }).transform(Number).default(1),
  KAFKA_CLIENT_ID: z.string().min(1).default('callstream'),
  // --- Kafka connection (docs: README, "Connecting to your Kafka"); checked together in kafka/settings.ts ---
  KAFKA_SSL: flag(false),
  /** PEM file of the CAs that sign the brokers' certificates; the system's CAs when unset. */
  KAFKA_SSL_CA_FILE: z.string().optional(),
  /** Mutual TLS: this client's certificate and private key (PEM), both or neither. */
  KAFKA_SSL_CERT_FILE: z.string().optional(),
  KAFKA_SSL_KEY_FILE: z.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: flag(true),
  KAFKA_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'], { error: 'must be plain, scram-sha-256 or scram-sha-512' })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** A file holding the password (a mounted secret); one trailing newline is not part of it. */
  KAFKA_SASL_PASSWORD_FILE: z.string().optional(),
  /** Codec of the records the ingress publishes; the consumer reads every codec. */
  KAFKA_COMPRESSION: z.enum(['none', 'gzip', 'lz4'], { error: 'must be none, gzip or lz4' }).default('lz4'),
  // --- topics, as setup creates and checks them (unset: the broker's own default) ---
  TOPIC_REPLICATION_FACTOR: decimal(1, 32_767, 'must be a decimal integer from 1 to 32767').optional(),
  TOPIC_MIN_INSYNC_REPLICAS: decimal(1, 32_767, 'must be a decimal integer from 1 to 32767').optional(),
  /** How long the call-records topic keeps records: the replay source of the tables; -1 keeps them for ever. */
  TOPIC_RETENTION_MS: z
    .string()
    .regex(/^(-1|[1-9][0-9]*)$/, 'must be -1 (for ever) or a decimal number of milliseconds')
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'must be -1 (for ever) or a decimal number of milliseconds'))
    .optional(),
  TOPIC_CALL_RECORDS: z.string().min(1).default('call-records.v1'),
  TOPIC_REJECTED: z.string().min(1).default('call-records.rejected.v1'),
  TOPIC_DLQ: z.string().min(1).default('call-records.dlq.v1'),
  TOPIC_PARTITIONS: integer(6, 1),
  CONSUMER_GROUP: z.string().min(1).default('callstream-postgres'),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 is any free port: one service alone can be asked to pick (the bench does for those it does not run). */
  INGRESS_PORT: port(8080, 0),
  QUERY_PORT: port(8081, 0),
  CONSUMER_PORT: port(8082, 0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: integer(1024 * 1024, 1),
  PRODUCE_LINGER_MS: integer(5),
  PRODUCE_MAX_BATCH: integer(500, 1),
  PRODUCE_QUEUE_LIMIT: integer(10_000, 1),
  /**
   * How long a callback waits for Kafka's acks=all before its sender gets 503. Long enough to ride out one
   * broker failure of a replicated cluster: a crashed broker holds every acks=all write until the controller
   * fences it (broker.session.timeout.ms, 9 s by default) and leaders move (docs/reliability.md).
   */
  PRODUCE_TIMEOUT_MS: integer(15_000, 100),
  RETRY_AFTER_SECONDS: integer(5, 1),
  TENANT_CACHE_TTL_MS: integer(30_000),
  MAX_EVENT_LOOP_DELAY_MS: integer(1_000),
  MAX_HEAP_USED_BYTES: integer(1024 * 1024 * 1024),
  // --- consumer ---
  /** A member silent this long loses its partitions; the broker accepts 6 s to 300 s by default. */
  CONSUMER_SESSION_TIMEOUT_MS: integer(30_000, 1),
  CONSUMER_HEARTBEAT_INTERVAL_MS: integer(3_000, 1),
  /** Delay before retrying a batch after a transient failure, doubling up to the maximum. */
  CONSUMER_RETRY_INITIAL_MS: integer(200, 1),
  CONSUMER_RETRY_MAX_MS: integer(10_000, 1),
  /**
   * Partitions whose batches are written at the same time, each in its own transaction: while Postgres
   * writes one batch, Node decodes the next. A call's deliveries all land in one partition, so concurrent
   * batches never touch the same call. Each holds a connection of its own, on top of DATABASE_POOL_SIZE,
   * so that transactions in flight never keep the readiness check or a tenant lookup waiting.
   */
  CONSUMER_PARTITIONS_CONCURRENTLY: integer(3, 1),
  /**
   * How often the consumer deletes the calls older than their tenant's retention_days (the first run one
   * interval after it starts); 0: never (run `npm run cli -- retention run` from a scheduler instead). At
   * most a timer's longest delay (2^31-1 ms, about 24.8 days): Node fires a longer one at once.
   */
  RETENTION_INTERVAL_MS: decimal(0, 2_147_483_647, 'must be a decimal integer from 0 to 2147483647').default(60 * 60 * 1000),
  // --- erasure ---
  /**
   * The key of the HMAC-SHA-256 under which an erasure's audit row keeps its selector (a phone number, a
   * call id). The default is for development only: set a secret of your own, and keep it, since audit rows
   * can only be matched to a request under the key they were written with.
   */
  ERASURE_HASH_KEY: z.string().min(1).default(DEFAULT_ERASURE_HASH_KEY),
  // --- query ---
  /** On shutdown, how long busy connections (e.g. a long list stream) may finish before they are cut. */
  QUERY_SHUTDOWN_DRAIN_MS: integer(10_000),
  /** A connection that neither sends nor receives for this long is closed (a stalled client holds a cursor). */
  QUERY_SOCKET_IDLE_TIMEOUT_MS: integer(60_000, 1),
  // --- ingress ---
  /** Bytes per produce request; must stay below the topics' max.message.bytes (4 MiB, set by ensureTopics). */
  PRODUCE_MAX_BATCH_BYTES: integer(4_000_000, 1024),
  /**
   * Produce requests awaiting their acknowledgement at once; further batches wait in the queue. 1 keeps
   * each partition in the order requests arrived; more trades that order (on retries) for throughput.
   */
  PRODUCE_MAX_IN_FLIGHT: integer(1, 1),
  /**
   * Per-tenant fairness: callbacks a tenant may send per second (its token bucket's refill), unless the
   * tenant has its own (npm run cli -- tenants set); 0: unlimited. The default is above what one ingress
   * takes from one tenant (about 4,700 cb/s on a 2-core machine), so it bounds a storm without cutting a
   * sender that the ingress could serve; set it lower to share an ingress among tenants.
   */
  TENANT_RATE_PER_SECOND: integer(10_000),
  /** Callbacks a tenant may send at once after a quiet spell (its bucket's size), unless the tenant has its own. */
  TENANT_BURST: integer(20_000, 1),
  /**
   * Per-tenant share of the publish queue: from this fill (percent of PRODUCE_QUEUE_LIMIT) on, a tenant
   * holding its fair share of the queue (that fill divided among the tenants with records in it) gets 503
   * TENANT_QUEUE_SHARE_EXCEEDED, so one tenant fills at most this much and the rest stays open to the
   * others; 100: not shared, only the queue's own limit.
   */
  TENANT_QUEUE_SHARE_FROM_PERCENT: decimal(1, 100, 'must be a decimal integer from 1 to 100').default(50),
  /**
   * Signed callbacks: how far a signature's timestamp may be from the ingress's clock, either way, before it
   * is refused as a replay (401 SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE). Covers the clocks' skew and the
   * request's time in flight; a captured request cannot be sent again once it is older than this.
   */
  SIGNATURE_TOLERANCE_SECONDS: integer(300, 1),
  /** How often the ingress checks that its producer reaches Kafka (@fastify/under-pressure health check). */
  KAFKA_HEALTH_CHECK_INTERVAL_MS: integer(1_000, 10),
  // --- reliability ---
  /**
   * A request not fully received this long after it began is answered 408 and its connection closed, so
   * slow senders (slowloris) cannot hold connections open. Fastify sets no such limit by default.
   */
  INGRESS_REQUEST_TIMEOUT_MS: integer(30_000, 1),
  // --- metrics ---
  /**
   * Tenants whose accepted callbacks the ingress also counts by tenant id (ingress_tenant_callbacks_total),
   * for the alert on a tenant that stops sending. A list, so that the series stay as few as the operator
   * names: there is no tenant label otherwise, since nothing else bounds how many tenants there are.
   */
  METRICS_TENANT_IDS: z
    .string()
    .transform((value) => value.split(',').map((id) => id.trim().toLowerCase()))
    .refine(
      (ids) => ids.length <= MAX_METRICS_TENANTS && ids.every((id) => UUID.test(id)),
      `must be a comma-separated list of at most ${MAX_METRICS_TENANTS} tenant ids (UUIDs)`,
    )
    .optional(),
  // --- tracing: the standard OpenTelemetry variables (shared/tracing/settings.ts; README "Observing callstream") ---
  ...tracingVariables,
  // --- passed on ---
  /**
   * Not settings of callstream: what the processes that npm start and the bench run inherit, as from a
   * shell (node's own search path and home), since a child's environment is built from this config.
   */
  PATH: z.string().optional(),
  HOME: z.string().optional(),
});

export type Config = Readonly<z.output<typeof configSchema>>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** A URL's password (`scheme://user:password@host`) as `***`: the line naming a bad value is printed and logged. */
const withoutPassword = (value: string) => value.replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/g, '$1***@');

function topicSettingsProblem(config: z.output<typeof configSchema>): string | undefined {
  const { TOPIC_REPLICATION_FACTOR: replicas, TOPIC_MIN_INSYNC_REPLICAS: insync } = config;
  if (replicas !== undefined && insync !== undefined && insync > replicas) {
    return `TOPIC_MIN_INSYNC_REPLICAS=${insync} is more than TOPIC_REPLICATION_FACTOR=${replicas}: no acks=all write could succeed`;
  }
  return undefined;
}

/** Parses the environment; a bad value throws one ConfigError line naming the variable. An empty value counts as unset. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = configSchema.safeParse(set);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const shown = SECRET_VARIABLES.has(name) || TRACING_SECRET_VARIABLES.has(name) ? '***' : withoutPassword(env[name] ?? '');
    throw new ConfigError(`invalid environment variable ${name}=${JSON.stringify(shown)}: ${issue.message}`);
  }
  const problem = kafkaSettingsProblem(result.data) ?? topicSettingsProblem(result.data);
  if (problem) throw new ConfigError(`invalid environment: ${problem}`);
  return Object.freeze(result.data);
}

/** For entry points: a bad environment stops the process with one clear line, not a stack trace. */
export function loadConfigOrExit(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** The broker a service uses when KAFKA_BROKERS is not set: one on this machine, as `npm start` runs it. */
export const DEFAULT_KAFKA_BROKERS: readonly string[] = Object.freeze(['127.0.0.1:9092']);

/** The brokers to connect to: KAFKA_BROKERS, or the documented default when it is not set. */
export function kafkaBrokers(config: Pick<Config, 'KAFKA_BROKERS'>): string[] {
  return [...(config.KAFKA_BROKERS ?? DEFAULT_KAFKA_BROKERS)];
}

/** npm start runs its own broker unless KAFKA_BROKERS names one (empty counts as unset, as in loadConfig). */
export function wantsLocalKafka(config: Pick<Config, 'KAFKA_BROKERS'>): boolean {
  return config.KAFKA_BROKERS === undefined;
}

/**
 * The environment that gives a child process this config: every setting written as loadConfig reads it
 * (the broker list comma-separated), unset ones left out. What a parent knows better (the port it chose,
 * the broker it started) it sets in the config before, not in the environment after.
 */
export function configEnvironment(config: { readonly [Name in keyof Config]?: Config[Name] | undefined }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(config)) {
    if (value === undefined) continue;
    env[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return env;
}
