import { ConfigError } from './config.ts';
import { reportStartup } from './startup-report.ts';

/**
 * Start-up failures as one line that names what could not be used and the variable that points at it
 * (`cannot reach Postgres at postgres://u:***@h:5499/db (DATABASE_URL): connect ECONNREFUSED`), for every
 * entry point: the services' main.ts, npm start, npm run setup and the tenant CLI. Passwords never appear.
 */
export type StartupErrorCode =
  | 'POSTGRES_UNAVAILABLE'
  | 'KAFKA_UNAVAILABLE'
  /** Kafka refused to create a topic as configured (a replication factor above the broker count). */
  | 'KAFKA_TOPIC_REFUSED'
  /** An existing topic is weaker than the config asks (fewer replicas, shorter retention…). */
  | 'KAFKA_TOPICS_WEAKER'
  | 'PORT_IN_USE'
  | 'PORT_UNAVAILABLE'
  /** npm start: a service it started could not start (the service's own line). */
  | 'SERVICE_FAILED';

export class StartupError extends Error {
  constructor(
    readonly code: StartupErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** The URL fit to print: the password masked, the query string (which can carry one too) left out. */
export function displayDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Runs a step that talks to Postgres; its failure becomes one line naming Postgres and DATABASE_URL. */
export async function needPostgres<T>(databaseUrl: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const root = dependencyCause(error);
    if (!root) throw error;
    const where = `Postgres at ${displayDatabaseUrl(databaseUrl)} (DATABASE_URL)`;
    // A SQLSTATE means Postgres answered (wrong password, no such database): it was reached.
    const answered = typeof (root as { severity?: unknown }).severity === 'string';
    throw new StartupError(
      'POSTGRES_UNAVAILABLE',
      answered ? `${where} refused: ${reason(error)}` : `cannot reach ${where}: ${reason(root)}`,
      {
        cause: error,
      },
    );
  }
}

/** Runs a step that talks to Kafka; its failure becomes one line naming Kafka and KAFKA_BROKERS. */
export async function needKafka<T>(brokers: readonly string[], step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const root = dependencyCause(error);
    if (!root) throw error;
    const where = `Kafka at ${brokers.join(',')} (KAFKA_BROKERS)`;
    const answered = (root as Error).name === 'KafkaJSProtocolError';
    throw new StartupError('KAFKA_UNAVAILABLE', answered ? `${where} refused: ${reason(root)}` : `cannot reach ${where}: ${reason(root)}`, {
      cause: error,
    });
  }
}

export function portInUse(variable: string, port: number, options?: ErrorOptions): StartupError {
  return new StartupError('PORT_IN_USE', `${variable} ${port} is already in use`, options);
}

/** Listens; a port taken or not ours to take becomes one line naming the port and its variable. */
export async function listenOn<T>(variable: string, port: number, host: string, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') throw portInUse(variable, port, { cause: error });
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new StartupError('PORT_UNAVAILABLE', `cannot listen on ${host} port ${port} (HOST, ${variable}): listen ${code}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** The one line for a failure the operator can fix, or undefined for a bug (whose stack trace is wanted). */
export function startupFailureLine(error: unknown): string | undefined {
  if (error instanceof StartupError || error instanceof ConfigError) return error.message;
  return undefined;
}

/**
 * For entry points: prints the line and exits 1. A parent that started this process with an IPC channel
 * (npm start) is told the line too, so it can print it instead of "see the log".
 */
export async function exitOnStartupFailure(error: unknown): Promise<never> {
  const line = startupFailureLine(error);
  if (line === undefined) throw error;
  process.stderr.write(`${line}\n`);
  await reportStartup({ startupFailed: line });
  process.exit(1);
}

/**
 * The error that came from the dependency itself, following causes (kafkajs wraps the connection error
 * in a retries-exceeded error; Node wraps each address tried in an AggregateError). Undefined when none
 * did: an error of ours is not relabelled as Postgres's or Kafka's.
 */
function dependencyCause(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
      continue;
    }
    if (fromDependency(current)) {
      const cause = (current as { cause?: unknown }).cause;
      return cause instanceof Error && fromDependency(cause) ? dependencyCause(cause) : current;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const PG_CLIENT_ERRORS = /^(Connection terminated|timeout expired|Client has encountered a connection error)/;

function fromDependency(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return true; // a system error: ECONNREFUSED, ENOTFOUND…
  if (typeof (error as { severity?: unknown }).severity === 'string') return true; // pg: the server answered an error
  return error.name.startsWith('KafkaJS') || PG_CLIENT_ERRORS.test(error.message);
}

/** The cause in a few words: `connect ECONNREFUSED`, without the address (the line names it already). */
function reason(error: unknown): string {
  const { syscall, code, message } = error as { syscall?: unknown; code?: unknown; message?: unknown };
  if (typeof syscall === 'string' && typeof code === 'string') return `${syscall} ${code}`;
  const text = String(message ?? error)
    .replace(/\s+/g, ' ')
    .trim();
  const system = /\b([a-z]+) (E[A-Z0-9]+)\b/.exec(text);
  return system ? `${system[1]} ${system[2]}` : text;
}
