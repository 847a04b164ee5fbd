import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { seedCallback } from '../../kit/callbacks.ts';
import { installed, SCRAPE_JOB, startPrometheus, type PrometheusServer } from '../../kit/prometheus-server.ts';
import { metricNames, registeredName } from '../../kit/promql.ts';
import { startServiceProcess, type TestService } from '../../kit/service-process.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, deleteTopicSet, testKafka, uniqueName, type TopicSet } from '../../kit/topics.ts';
import { eventually } from '../support/pipeline.ts';

/**
 * The alert rules (ops/prometheus/alerts.yml) and the dashboard (ops/grafana/callstream.json) against the
 * services as deployed: a real Prometheus scrapes the three running processes, and every series an alert
 * or a panel reads must be there, every expression must evaluate, and the rules must load. promtool checks
 * the rules and runs their unit tests (alerts.test.yml). Without Prometheus installed this fails: .ci/run
 * and the README's set-up install Debian's `prometheus` package.
 */
const run = promisify(execFile);
const path = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
const ALERTS = path('ops/prometheus/alerts.yml');
const ALERT_TESTS = path('ops/prometheus/alerts.test.yml');
const DASHBOARD = path('ops/grafana/callstream.json');

interface Rule {
  alert: string;
  expr: string;
}
const alertRules: Rule[] = (parse(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (group) => group.rules,
);

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}
const panels: Panel[] = (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels;
const panelExpressions = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** Grafana's range variable, as Prometheus can evaluate it. */
const evaluable = (expr: string) => expr.replaceAll('$__rate_interval', '1m');

const missingPrometheus = 'prometheus and promtool are not installed: apt-get install -y prometheus (Debian; .ci/run installs it)';

describe('alert rules with promtool', () => {
  it('are valid rules (promtool check rules)', async () => {
    expect(installed('promtool'), missingPrometheus).toBeDefined();
    const { stdout } = await run('promtool', ['check', 'rules', ALERTS]);
    expect(stdout).toContain(`SUCCESS: ${alertRules.length} rules found`);
  });

  it('pass their unit tests (promtool test rules alerts.test.yml)', async () => {
    expect(installed('promtool'), missingPrometheus).toBeDefined();
    const { stdout } = await run('promtool', ['test', 'rules', ALERT_TESTS]);
    expect(stdout).toContain('SUCCESS');
    // Every alert is tested.
    const tested = new Set([...readFileSync(ALERT_TESTS, 'utf8').matchAll(/alertname: (\w+)/g)].map((match) => match[1]));
    expect(alertRules.map((rule) => rule.alert).filter((alert) => !tested.has(alert))).toEqual([]);
  });
});

describe('a real Prometheus scraping the three services', () => {
  let db: TestDatabase;
  let topics: TopicSet;
  let tenant: CreatedTenant;
  let services: TestService[] = [];
  let prometheus: PrometheusServer | undefined;
  const kafka = testKafka(inject('kafkaBrokers'));

  beforeAll(async () => {
    expect(installed('prometheus'), missingPrometheus).toBeDefined();
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    topics = await createTestTopics(kafka);
    tenant = await createTenantRepository(db.pool).create({ name: 'scraped tenant', timezone: 'Asia/Tokyo' });
    const env = {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '2',
      KAFKA_BROKERS: inject('kafkaBrokers').join(','),
      TOPIC_CALL_RECORDS: topics.callRecords,
      TOPIC_REJECTED: topics.rejected,
      TOPIC_DLQ: topics.dlq,
      CONSUMER_GROUP: uniqueName('prometheus-group'),
      METRICS_TENANT_IDS: tenant.tenantId,
      LOG_LEVEL: 'warn',
    };
    services = await Promise.all((['ingress', 'consumer', 'query'] as const).map((name) => startServiceProcess(name, { env })));
    const [ingress, , query] = services;

    // Traffic, so that the series of labelled metrics exist: one callback stored, one refused, lookups.
    const post = (token: string) =>
      fetch(`${ingress!.url}/v1/tenants/${tenant.tenantId}/call-records`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(seedCallback()),
      });
    expect((await post(tenant.ingestToken)).status).toBe(200);
    expect((await post('wrong-token')).status).toBe(401);
    const lookup = () =>
      fetch(`${query!.url}/v1/calls/${seedCallback().callId}`, {
        headers: { 'x-commubo-tenantId': tenant.tenantId, 'x-commubo-accessToken': tenant.accessToken },
      });
    await eventually(async () => ((await lookup()).status === 200 ? true : undefined), 20_000);

    prometheus = await startPrometheus({
      targets: services.map((service) => new URL(service.url).host),
      ruleFiles: [ALERTS],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(services.map((service) => service.stop('SIGTERM')));
    await deleteTopicSet(kafka, topics);
    await db?.drop();
  });

  type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;
  const query = (expr: string) => prometheus!.api<{ resultType: string; result: Vector }>('query', { query: expr });

  it('scrapes every service', async () => {
    const up = await eventually(async () => {
      const { result } = await query(`up{job="${SCRAPE_JOB}"} == 1`);
      return result.length === 3 ? result : undefined;
    }, 20_000);
    expect(up.map((sample) => sample.metric.instance).sort()).toEqual(services.map((service) => new URL(service.url).host).sort());
  });

  it('has every series the alert rules and the dashboard read', async () => {
    const names = [...new Set([...alertRules, ...panelExpressions].flatMap((rule) => metricNames(evaluable(rule.expr))))].sort();
    // Enough to be a real check: the parser found the metrics, not nothing.
    expect(names.length).toBeGreaterThan(15);
    const missing = () =>
      Promise.all(
        names.map(async (name) => ((await prometheus!.api<unknown[]>('series', { 'match[]': name })).length > 0 ? undefined : name)),
      ).then((found) => found.filter((name) => name !== undefined));
    // Each service's first scrapes may come before its first batch or lookup: wait until none is missing,
    // then say which are.
    await eventually(async () => ((await missing()).length === 0 ? true : undefined), 20_000).catch(() => undefined);
    expect(await missing(), `series not scraped (registered as ${names.map(registeredName).join(', ')})`).toEqual([]);
  });

  it('evaluates every alert expression and every panel expression', async () => {
    for (const rule of alertRules) await expect(query(rule.expr), rule.alert).resolves.toMatchObject({ resultType: 'vector' });
    for (const { panel, expr } of panelExpressions) {
      await expect(query(evaluable(expr)), panel).resolves.toMatchObject({ resultType: 'vector' });
    }
  });

  it('has loaded the alert rules, all healthy, none firing on a healthy pipeline', async () => {
    const rules = await eventually(async () => {
      const { groups } = await prometheus!.api<{ groups: Array<{ rules: Array<{ name: string; health: string; state: string }> }> }>(
        'rules',
      );
      const loaded = groups.flatMap((group) => group.rules);
      return loaded.length === alertRules.length && loaded.every((rule) => rule.health === 'ok') ? loaded : undefined;
    }, 20_000);
    expect(rules.map((rule) => rule.name).sort()).toEqual(alertRules.map((rule) => rule.alert).sort());
    expect(rules.filter((rule) => rule.state === 'firing')).toEqual([]);
  });

  it('reads the pipeline as it is: one callback accepted and one refused, stored fresh, the tenant counted, Kafka and Postgres reachable', async () => {
    const value = async (expr: string) => (await query(expr)).result.map((sample) => Number(sample.value[1]));
    await eventually(async () => ((await value('sum(consumer_freshness_seconds_count)'))[0] === 1 ? true : undefined), 10_000);
    expect(await value('sum(ingress_records_produced_total)')).toEqual([1]);
    expect(await value('sum(ingress_callbacks_refused_total{code="UNAUTHORIZED"})')).toEqual([1]);
    expect(await value(`ingress_tenant_callbacks_total{tenant_id="${tenant.tenantId}"}`)).toEqual([1]);
    expect(await value('count(ingress_tenant_callbacks_total)')).toEqual([1]);
    expect(await value('min(readiness_check_ok)')).toEqual([1]);
    expect(await value('count(readiness_check_ok)')).toEqual([6]);
    expect(await value('max(consumer_lag_age_seconds)')).toEqual([0]);
  });
});
