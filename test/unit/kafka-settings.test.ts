import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.ts';
import { kafkaConnection } from '../../shared/kafka/settings.ts';

/** The KAFKA_SSL_* and KAFKA_SASL_* variables: what kafkajs is given, and the one line a bad combination stops with. */
const dir = mkdtempSync(join(tmpdir(), 'callstream-kafka-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const ca = file('ca.pem', CERT);
const cert = file('client.pem', CERT);
const key = file('client.key', KEY);

describe('kafkaConnection', () => {
  it('plaintext and no SASL by default', () => {
    expect(kafkaConnection(loadConfig({}))).toEqual({});
  });

  it('TLS with the system CAs: ssl true', () => {
    expect(kafkaConnection(loadConfig({ KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
  });

  it('TLS with a CA file, mutual TLS and SCRAM', () => {
    const config = loadConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SSL_CERT_FILE: cert,
      KAFKA_SSL_KEY_FILE: key,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'callstream',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(kafkaConnection(config)).toEqual({
      ssl: { ca: [CERT], cert: CERT, key: KEY },
      sasl: { mechanism: 'scram-sha-512', username: 'callstream', password: 'pw' },
    });
  });

  it('KAFKA_SSL_REJECT_UNAUTHORIZED=false is passed on; the password may come from a file, its trailing newline dropped', () => {
    const config = loadConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD_FILE: file('password', 'from-a-file\n'),
    });
    expect(kafkaConnection(config)).toEqual({
      ssl: { rejectUnauthorized: false },
      sasl: { mechanism: 'plain', username: 'u', password: 'from-a-file' },
    });
  });
});

describe('loadConfig: Kafka connection settings that cannot work stop the process with one line naming the variable', () => {
  const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'pw' };
  it.each([
    [{ KAFKA_SSL: 'yes' }, 'invalid environment variable KAFKA_SSL="yes": must be true or false'],
    [
      { KAFKA_SASL_MECHANISM: 'gssapi' },
      'invalid environment variable KAFKA_SASL_MECHANISM="gssapi": must be plain, scram-sha-256 or scram-sha-512',
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'pw' },
      'invalid environment: KAFKA_SASL_MECHANISM is set but KAFKA_SASL_USERNAME is not',
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' },
      'invalid environment: KAFKA_SASL_MECHANISM is set but neither KAFKA_SASL_PASSWORD nor KAFKA_SASL_PASSWORD_FILE is',
    ],
    [
      { ...sasl, KAFKA_SASL_PASSWORD_FILE: '/x' },
      'invalid environment: KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set; set one',
    ],
    [{ KAFKA_SASL_USERNAME: 'u' }, 'invalid environment: KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is not'],
    [{ KAFKA_SSL_CA_FILE: ca }, 'invalid environment: KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true'],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: cert },
      'invalid environment: KAFKA_SSL_CERT_FILE is set without KAFKA_SSL_KEY_FILE (mutual TLS needs both)',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') },
      `invalid environment: KAFKA_SSL_CA_FILE="${join(dir, 'missing.pem')}" cannot be read (ENOENT)`,
    ],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: key }, `invalid environment: KAFKA_SSL_CA_FILE="${key}" does not hold a PEM certificate`],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: cert },
      `invalid environment: KAFKA_SSL_KEY_FILE="${cert}" does not hold a PEM private key`,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: file('empty', '\n') },
      `invalid environment: KAFKA_SASL_PASSWORD_FILE="${join(dir, 'empty')}" is empty`,
    ],
    [
      { TOPIC_REPLICATION_FACTOR: '2', TOPIC_MIN_INSYNC_REPLICAS: '3' },
      'invalid environment: TOPIC_MIN_INSYNC_REPLICAS=3 is more than TOPIC_REPLICATION_FACTOR=2: no acks=all write could succeed',
    ],
    [
      { TOPIC_RETENTION_MS: '0' },
      'invalid environment variable TOPIC_RETENTION_MS="0": must be -1 (for ever) or a decimal number of milliseconds',
    ],
    [{ LOCAL_KAFKA_NODES: '2' }, 'invalid environment variable LOCAL_KAFKA_NODES="2": must be 1 or 3'],
  ])('%j', (env, line) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new ConfigError(line));
  });

  it('never prints the password, not even when the line is about it', () => {
    // A password is any text; the only way to make its own variable invalid is a combination, which names no value.
    const messages = [
      { KAFKA_SASL_PASSWORD: 'hunter2-secret' },
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'hunter2-secret', KAFKA_SASL_PASSWORD_FILE: '/x' },
    ].map((env) => {
      try {
        loadConfig(env);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(messages).toEqual([
      'invalid environment: KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is not',
      'invalid environment: KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set; set one',
    ]);
  });
});
