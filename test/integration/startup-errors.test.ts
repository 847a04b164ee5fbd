import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { freePort } from '../../kit/ports.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { nodeScript as node, runScript as start } from '../support/run-script.ts';

/**
 * A process that cannot start says in one line which dependency it could not use and which variable
 * points at it, without the password, and exits 1: not a stack trace ending in `connect ECONNREFUSED`.
 */
describe('start-up failures name the dependency and its variable', () => {
  let db: TestDatabase;
  let closedPort: number;
  let unreachableDatabase: string;
  let shown: string;
  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    closedPort = await freePort();
    unreachableDatabase = `postgres://postgres:s3cret-pw@127.0.0.1:${closedPort}/callstream`;
    shown = `postgres://postgres:***@127.0.0.1:${closedPort}/callstream`;
  });
  afterAll(() => db?.drop());

  it.each(['ingress', 'consumer', 'query'])('%s main with DATABASE_URL unreachable: one line naming Postgres, exit 1', async (service) => {
    const result = await start(node(`services/${service}/main.ts`), {
      DATABASE_URL: unreachableDatabase,
      KAFKA_BROKERS: inject('kafkaBrokers').join(','),
      [`${service.toUpperCase()}_PORT`]: String(await freePort()),
    });
    expect(result.stderr).toBe(`cannot reach Postgres at ${shown} (DATABASE_URL): connect ECONNREFUSED\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('s3cret-pw');
  });

  it('ingress main with KAFKA_BROKERS unreachable: one line naming Kafka, exit 1', { timeout: 90_000 }, async () => {
    const result = await start(node('services/ingress/main.ts'), {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: `127.0.0.1:${closedPort}`,
      INGRESS_PORT: String(await freePort()),
    });
    expect(result.stderr).toBe(`cannot reach Kafka at 127.0.0.1:${closedPort} (KAFKA_BROKERS): connect ECONNREFUSED\n`);
    expect(result.code).toBe(1);
  });

  it('ingress main on a port in use: one line naming the port and INGRESS_PORT, exit 1', async () => {
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((done) => taken.listen(port, '127.0.0.1', done));
    try {
      const result = await start(node('services/ingress/main.ts'), {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: inject('kafkaBrokers').join(','),
        INGRESS_PORT: String(port),
      });
      expect(result.stderr).toBe(`INGRESS_PORT ${port} is already in use\n`);
      expect(result.code).toBe(1);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  it('npm start with TLS or SASL settings but its own (plaintext) broker: one line naming the variable, exit 1, nothing started', async () => {
    const result = await start(node('scripts/start.ts'), {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'invalid environment: KAFKA_SASL_MECHANISM is set but KAFKA_BROKERS is not; the broker npm start runs itself is plaintext without SASL\n',
    });
  });

  it('npm run setup with DATABASE_URL unreachable: one line naming Postgres, exit 1', async () => {
    const result = await start(['npm', 'run', '--silent', 'setup'], {
      DATABASE_URL: unreachableDatabase,
      KAFKA_BROKERS: inject('kafkaBrokers').join(','),
    });
    expect(result.stderr).toBe(`cannot reach Postgres at ${shown} (DATABASE_URL): connect ECONNREFUSED\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
  });

  it(
    'npm run setup with KAFKA_BROKERS unreachable: the database step done, then one line naming Kafka, exit 1',
    { timeout: 90_000 },
    async () => {
      const result = await start(['npm', 'run', '--silent', 'setup'], { DATABASE_URL: db.url, KAFKA_BROKERS: `127.0.0.1:${closedPort}` });
      expect(result.stdout).toBe('database is up to date\n');
      expect(result.stderr).toBe(`cannot reach Kafka at 127.0.0.1:${closedPort} (KAFKA_BROKERS): connect ECONNREFUSED\n`);
      expect(result.code).toBe(1);
    },
  );
});
