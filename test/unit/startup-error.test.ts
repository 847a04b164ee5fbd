import { describe, expect, it } from 'vitest';
import { displayDatabaseUrl, listenOn, needKafka, needPostgres, StartupError } from '../../shared/startup-error.ts';

/** The one-line start-up messages: what they name, what they never show, and what they leave alone. */
const systemError = (syscall: string, code: string, address: string) =>
  Object.assign(new Error(`${syscall} ${code} ${address}`), { syscall, code, errno: -111, address });

describe('displayDatabaseUrl', () => {
  it.each([
    ['postgres://postgres@127.0.0.1:5499/callstream', 'postgres://postgres@127.0.0.1:5499/callstream'],
    ['postgres://app:hunter2@db.internal:5432/callstream', 'postgres://app:***@db.internal:5432/callstream'],
    ['postgresql://app:p%40ss@db/callstream?sslmode=require&password=other', 'postgresql://app:***@db/callstream'],
    ['not a url', '(unparsable URL)'],
  ])('%s is shown as %s', (url, shown) => {
    expect(displayDatabaseUrl(url)).toBe(shown);
  });
});

describe('needPostgres / needKafka', () => {
  const url = 'postgres://app:hunter2@127.0.0.1:5499/callstream';

  it('names Postgres and DATABASE_URL, the cause without the address, never the password', async () => {
    const failure = needPostgres(url, () => Promise.reject(systemError('connect', 'ECONNREFUSED', '127.0.0.1:5499')));
    await expect(failure).rejects.toThrow(
      new StartupError(
        'POSTGRES_UNAVAILABLE',
        'cannot reach Postgres at postgres://app:***@127.0.0.1:5499/callstream (DATABASE_URL): connect ECONNREFUSED',
      ),
    );
  });

  it('looks inside the AggregateError that a host with several addresses gives', async () => {
    const aggregate = Object.assign(
      new AggregateError(
        [systemError('connect', 'ECONNREFUSED', '::1:5499'), systemError('connect', 'ECONNREFUSED', '127.0.0.1:5499')],
        '',
      ),
      {
        code: 'ECONNREFUSED',
      },
    );
    await expect(needPostgres(url, () => Promise.reject(aggregate))).rejects.toThrow(
      'cannot reach Postgres at postgres://app:***@127.0.0.1:5499/callstream (DATABASE_URL): connect ECONNREFUSED',
    );
  });

  it('says Postgres refused when it answered with a SQLSTATE', async () => {
    const answered = Object.assign(new Error('password authentication failed for user "app"'), { severity: 'FATAL', code: '28P01' });
    await expect(needPostgres(url, () => Promise.reject(answered))).rejects.toThrow(
      'Postgres at postgres://app:***@127.0.0.1:5499/callstream (DATABASE_URL) refused: password authentication failed for user "app"',
    );
  });

  it('follows kafkajs causes to the connection error', async () => {
    const connection = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
      name: 'KafkaJSConnectionError',
      code: 'ECONNREFUSED',
    });
    const retries = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { cause: connection }), {
      name: 'KafkaJSNumberOfRetriesExceeded',
    });
    await expect(needKafka(['127.0.0.1:9092', 'b:9092'], () => Promise.reject(retries))).rejects.toThrow(
      new StartupError('KAFKA_UNAVAILABLE', 'cannot reach Kafka at 127.0.0.1:9092,b:9092 (KAFKA_BROKERS): connect ECONNREFUSED'),
    );
  });

  it('leaves an error of ours as it is: a bug is not reported as an outage', async () => {
    const bug = new TypeError('x is not a function');
    await expect(needPostgres(url, () => Promise.reject(bug))).rejects.toBe(bug);
    await expect(needKafka(['k:9092'], () => Promise.reject(bug))).rejects.toBe(bug);
  });
});

describe('listenOn', () => {
  it('names the port and its variable when the port is taken', async () => {
    await expect(
      listenOn('QUERY_PORT', 8081, '127.0.0.1', () => Promise.reject(systemError('listen', 'EADDRINUSE', '127.0.0.1:8081'))),
    ).rejects.toThrow(new StartupError('PORT_IN_USE', 'QUERY_PORT 8081 is already in use'));
  });

  it('names HOST too when the address is not this machine', async () => {
    await expect(
      listenOn('INGRESS_PORT', 8080, '192.0.2.1', () => Promise.reject(systemError('listen', 'EADDRNOTAVAIL', '192.0.2.1:8080'))),
    ).rejects.toThrow('cannot listen on 192.0.2.1 port 8080 (HOST, INGRESS_PORT): listen EADDRNOTAVAIL');
  });
});
