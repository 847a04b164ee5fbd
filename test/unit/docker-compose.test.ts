import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../shared/config.ts';

/** No Docker engine runs here, so the compose file is checked for what it names rather than run. */
const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'));
const defaults = loadConfig({});

describe('docker-compose.yml', () => {
  it('has Kafka, Postgres, the setup step and the three services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['consumer', 'ingress', 'kafka', 'postgres', 'query', 'setup']);
  });

  it.each([
    ['ingress', 'services/ingress/main.ts', defaults.INGRESS_PORT],
    ['consumer', 'services/consumer/main.ts', defaults.CONSUMER_PORT],
    ['query', 'services/query/main.ts', defaults.QUERY_PORT],
    ['setup', 'scripts/setup.ts', undefined],
  ])('%s runs %s from the one Dockerfile and publishes its port', (name, entry, port) => {
    const service = compose.services[name];
    expect(service.build).toBe('.');
    expect(service.command).toEqual(['node', '--import', 'tsx', entry]);
    expect(existsSync(new URL(entry, root))).toBe(true);
    expect(service.ports).toEqual(port === undefined ? undefined : [`${port}:${port}`]);
    // Every variable it sets is one the services read, with a valid value.
    expect(() => loadConfig(service.environment)).not.toThrow();
    expect(loadConfig(service.environment).KAFKA_BROKERS).toEqual(['kafka:9092']);
  });

  it('builds from a Dockerfile that copies what the entry points import', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    for (const dir of ['shared', 'services', 'scripts']) expect(dockerfile).toContain(`COPY ${dir} ./${dir}`);
    expect(dockerfile).toContain('RUN npm ci');
  });

  it('points the services at the Kafka and Postgres it defines', () => {
    const kafka = compose.services.kafka.environment;
    expect(kafka.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    expect(compose.services.ingress.environment.DATABASE_URL).toBe(
      `postgres://postgres:${compose.services.postgres.environment.POSTGRES_PASSWORD}@postgres:5432/${compose.services.postgres.environment.POSTGRES_DB}`,
    );
  });
});
