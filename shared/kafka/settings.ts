import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { Config } from '../config.ts';

/**
 * How every Kafka client of the project connects: TLS (with a CA of its own, mutual TLS) and SASL
 * (PLAIN, SCRAM-SHA-256/512), from the KAFKA_SSL_* and KAFKA_SASL_* variables. The files are read when
 * the config is loaded, so that a missing or unreadable one stops the process at start with one line
 * naming its variable, and again when a client is built (a rotated certificate is picked up on restart).
 */
export type KafkaConnectionSettings = Pick<
  Config,
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SSL_CERT_FILE'
  | 'KAFKA_SSL_KEY_FILE'
  | 'KAFKA_SSL_REJECT_UNAUTHORIZED'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'KAFKA_SASL_PASSWORD_FILE'
>;

/** Variables whose values are never printed, not even in the line that says they are invalid. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(['KAFKA_SASL_PASSWORD']);

export interface KafkaConnection {
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

class SettingsProblem extends Error {}

/** What a file must look like to be what its variable says; checked so that a swapped path is named at start. */
const PEM_LABEL: Record<'KAFKA_SSL_CA_FILE' | 'KAFKA_SSL_CERT_FILE' | 'KAFKA_SSL_KEY_FILE', RegExp> = {
  KAFKA_SSL_CA_FILE: /-----BEGIN CERTIFICATE-----/,
  KAFKA_SSL_CERT_FILE: /-----BEGIN CERTIFICATE-----/,
  KAFKA_SSL_KEY_FILE: /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/,
};

function readSetting(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new SettingsProblem(`${variable}=${JSON.stringify(path)} cannot be read (${typeof code === 'string' ? code : 'unreadable'})`);
  }
}

function readPem(variable: keyof typeof PEM_LABEL, path: string): string {
  const text = readSetting(variable, path);
  if (!PEM_LABEL[variable].test(text)) {
    const what = variable === 'KAFKA_SSL_KEY_FILE' ? 'a PEM private key' : 'a PEM certificate';
    throw new SettingsProblem(`${variable}=${JSON.stringify(path)} does not hold ${what}`);
  }
  return text;
}

function password(settings: KafkaConnectionSettings): string {
  if (settings.KAFKA_SASL_PASSWORD !== undefined) return settings.KAFKA_SASL_PASSWORD;
  const text = readSetting('KAFKA_SASL_PASSWORD_FILE', settings.KAFKA_SASL_PASSWORD_FILE!).replace(/\r?\n$/, '');
  if (text === '') throw new SettingsProblem(`KAFKA_SASL_PASSWORD_FILE=${JSON.stringify(settings.KAFKA_SASL_PASSWORD_FILE)} is empty`);
  return text;
}

/** The combinations that cannot work, each named by the variable to change. */
function combinationProblem(settings: KafkaConnectionSettings): string | undefined {
  const sslFiles = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const).filter(
    (name) => settings[name] !== undefined,
  );
  if (!settings.KAFKA_SSL && sslFiles.length > 0) return `${sslFiles[0]} is set but KAFKA_SSL is not true`;
  if ((settings.KAFKA_SSL_CERT_FILE === undefined) !== (settings.KAFKA_SSL_KEY_FILE === undefined)) {
    return settings.KAFKA_SSL_CERT_FILE === undefined
      ? 'KAFKA_SSL_KEY_FILE is set without KAFKA_SSL_CERT_FILE (mutual TLS needs both)'
      : 'KAFKA_SSL_CERT_FILE is set without KAFKA_SSL_KEY_FILE (mutual TLS needs both)';
  }
  const credentials = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const).filter(
    (name) => settings[name] !== undefined,
  );
  if (settings.KAFKA_SASL_MECHANISM === undefined) {
    return credentials.length > 0 ? `${credentials[0]} is set but KAFKA_SASL_MECHANISM is not` : undefined;
  }
  if (settings.KAFKA_SASL_USERNAME === undefined) return `KAFKA_SASL_MECHANISM is set but KAFKA_SASL_USERNAME is not`;
  if (settings.KAFKA_SASL_PASSWORD !== undefined && settings.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    return 'KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set; set one';
  }
  if (settings.KAFKA_SASL_PASSWORD === undefined && settings.KAFKA_SASL_PASSWORD_FILE === undefined) {
    return 'KAFKA_SASL_MECHANISM is set but neither KAFKA_SASL_PASSWORD nor KAFKA_SASL_PASSWORD_FILE is';
  }
  return undefined;
}

/** The kafkajs ssl and sasl options; throws (naming the variable) when a file cannot be used. */
function connection(settings: KafkaConnectionSettings): KafkaConnection {
  const result: KafkaConnection = {};
  if (settings.KAFKA_SSL) {
    const tls: ConnectionOptions = {};
    if (settings.KAFKA_SSL_CA_FILE !== undefined) tls.ca = [readPem('KAFKA_SSL_CA_FILE', settings.KAFKA_SSL_CA_FILE)];
    if (settings.KAFKA_SSL_CERT_FILE !== undefined) tls.cert = readPem('KAFKA_SSL_CERT_FILE', settings.KAFKA_SSL_CERT_FILE);
    if (settings.KAFKA_SSL_KEY_FILE !== undefined) tls.key = readPem('KAFKA_SSL_KEY_FILE', settings.KAFKA_SSL_KEY_FILE);
    if (!settings.KAFKA_SSL_REJECT_UNAUTHORIZED) tls.rejectUnauthorized = false;
    result.ssl = Object.keys(tls).length > 0 ? tls : true;
  }
  if (settings.KAFKA_SASL_MECHANISM !== undefined) {
    result.sasl = {
      mechanism: settings.KAFKA_SASL_MECHANISM,
      username: settings.KAFKA_SASL_USERNAME!,
      password: password(settings),
    } as SASLOptions;
  }
  return result;
}

/** For loadConfig: why these settings cannot connect, in one line naming the variable, or undefined. */
export function kafkaSettingsProblem(settings: KafkaConnectionSettings): string | undefined {
  const combination = combinationProblem(settings);
  if (combination) return combination;
  try {
    connection(settings);
    return undefined;
  } catch (error) {
    if (error instanceof SettingsProblem) return error.message;
    throw error;
  }
}

/** The ssl and sasl options of a kafkajs client for a config that loadConfig accepted. */
export function kafkaConnection(settings: KafkaConnectionSettings): KafkaConnection {
  return connection(settings);
}
