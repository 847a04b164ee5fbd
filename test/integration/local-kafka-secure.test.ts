import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaJSSASLAuthenticationError, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setScramPassword, startLocalKafka, type LocalKafka } from '../../scripts/local-kafka.ts';
import { freeConsecutivePorts } from '../../kit/consecutive-ports.ts';
import { readAllMessages } from '../../kit/topic-reader.ts';
import { testKafka, uniqueName } from '../../kit/topics.ts';
import { eventually } from '../support/pipeline.ts';

/**
 * The launcher's secure broker: a SASL_SSL listener whose certificate a client trusts through the CA
 * file the launcher returns, SCRAM-SHA-512 users created at format, and a password changed on the
 * running broker by setScramPassword.
 */
const USER = 'callstream-test';
const FIRST_PASSWORD = 'first-Password-3c9e';
const SECOND_PASSWORD = 'second-Password-8d1f';
const REFUSED =
  'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512';

describe('a local broker with a SASL_SSL listener (SCRAM-SHA-512)', () => {
  let dataDir: string;
  let broker: LocalKafka;
  let clientWith: (password: string) => Kafka;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'callstream-kafka-sasl-ssl-'));
    broker = await startLocalKafka({
      // Client (SASL_SSL), controller and internal PLAINTEXT listener: port, port + 1, port + 2.
      port: await freeConsecutivePorts(3),
      dataDir,
      logFile: join(dataDir, 'kafka.log'),
      heapMb: 256,
      security: { scram: { mechanism: 'SCRAM-SHA-512', users: [{ username: USER, password: FIRST_PASSWORD }] } },
    });
    const ca = readFileSync(broker.caFile!, 'utf8');
    clientWith = (password) =>
      testKafka(broker.brokers, { ssl: { ca: [ca] }, sasl: { mechanism: 'scram-sha-512', username: USER, password } });
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Resolves once an admin client with the password connected, or rejects with why it could not. */
  async function connectWith(password: string): Promise<true> {
    const admin = clientWith(password).admin();
    try {
      await admin.connect();
      return true;
    } finally {
      await admin.disconnect();
    }
  }

  it('produces and consumes a record over TLS, trusting the CA file the launcher returned', async () => {
    expect(readFileSync(broker.caFile!, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const kafka = clientWith(FIRST_PASSWORD);
    const topic = uniqueName('test.sasl-ssl');
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'call-1', value: 'over SASL_SSL' }] });
      const messages = await readAllMessages(kafka, topic);
      expect(messages.map(({ key, value }) => [String(key), String(value)])).toEqual([['call-1', 'over SASL_SSL']]);
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('refuses a wrong password, and accepts it once setScramPassword made it the password', { timeout: 60_000 }, async () => {
    const refused = await connectWith(SECOND_PASSWORD).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KafkaJSSASLAuthenticationError);
    expect((refused as Error).message).toBe(REFUSED);

    await setScramPassword(broker, { username: USER, password: SECOND_PASSWORD });
    // Brokers apply the new credential from the metadata log, a moment after the change was accepted.
    expect(await eventually(() => connectWith(SECOND_PASSWORD).catch(() => undefined))).toBe(true);
    expect(await connectWith(FIRST_PASSWORD).catch((error: unknown) => error)).toBeInstanceOf(KafkaJSSASLAuthenticationError);
  });
});
