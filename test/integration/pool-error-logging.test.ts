import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startConsumer } from '../../services/consumer/start.ts';
import { startIngress } from '../../services/ingress/start.ts';
import { startQuery } from '../../services/query/start.ts';
import type { Pool } from '../../shared/db/pool.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, testKafka, uniqueName, type TopicSet } from '../../kit/topics.ts';
import { failTestOnCrash, IN_PROCESS, testServiceConfig } from '../support/service-config.ts';

/**
 * pg attaches its client (connection parameters, password included) to the errors of a connection that
 * breaks while idle, and the pool emits them: each service, started as production starts it, logs such an
 * error as its message and code only, never the client.
 */
const PASSWORD = 'pool-error-password-9f3a';

let db: TestDatabase;
let topics: TopicSet;

beforeAll(async () => {
  db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  topics = await createTestTopics(testKafka(inject('kafkaBrokers')));
});
afterAll(async () => {
  await db?.drop();
});

type Started = { db: Pool; close(): Promise<void> };
const starters: Record<string, (logger: object) => Promise<Started>> = {
  ingress: (logger) => startIngress(testServiceConfig({ databaseUrl: db.url, topics }), { ...IN_PROCESS, logger }),
  query: (logger) => startQuery(testServiceConfig({ databaseUrl: db.url, topics }), { ...IN_PROCESS, logger }),
  consumer: (logger) =>
    startConsumer(testServiceConfig({ databaseUrl: db.url, topics, group: uniqueName('pool-error') }), {
      ...IN_PROCESS,
      logger,
      onCrash: failTestOnCrash,
    }),
};

describe('an idle database connection that fails', () => {
  it.each(Object.keys(starters))('is logged by the %s without the pg client or its password', async (name) => {
    const lines: string[] = [];
    const service = await starters[name]!({ ...loggerOptions('info', name), stream: { write: (line: string) => void lines.push(line) } });
    try {
      const error = Object.assign(new Error('Connection terminated unexpectedly'), {
        code: 'ECONNRESET',
        client: { user: 'postgres', password: PASSWORD, connectionParameters: { password: PASSWORD } },
      });
      service.db.emit('error', error, undefined);
    } finally {
      await service.close();
    }
    expect(lines.join('\n')).not.toContain(PASSWORD);
    const logged = lines.map((line) => JSON.parse(line)).filter((line) => /idle database connection/.test(line.msg));
    expect(logged.map(({ level, msg, error }) => ({ level, msg, error }))).toEqual([
      {
        level: 40,
        msg: 'idle database connection failed',
        error: { message: 'Connection terminated unexpectedly', code: 'ECONNRESET' },
      },
    ]);
  });
});
