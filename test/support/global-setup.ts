import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startLocalKafka, type LocalKafka } from '../../scripts/local-kafka.ts';
import { freePort } from '../../kit/ports.ts';
import { createTemplateDatabase, dropDatabase } from '../../kit/test-database.ts';

/**
 * Once per test run: a real Kafka broker (unless KAFKA_BROKERS points at one) and a migrated template
 * database that each test file clones. Both are gone after the run.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    templateDatabase: string;
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let kafka: LocalKafka | undefined;
  let dataDir: string | undefined;
  let brokers = process.env.KAFKA_BROKERS?.split(',');
  if (!brokers) {
    dataDir = mkdtempSync(join(tmpdir(), 'callstream-test-kafka-'));
    const port = await freePort();
    kafka = await startLocalKafka({ port, controllerPort: await freePort(), dataDir, logFile: join(dataDir, 'kafka.log') });
    brokers = kafka.brokers;
  }
  const template = await createTemplateDatabase(adminUrl);

  project.provide('kafkaBrokers', brokers);
  project.provide('templateDatabase', template);
  project.provide('adminDatabaseUrl', adminUrl);

  return async () => {
    await dropDatabase(adminUrl, template);
    await kafka?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
