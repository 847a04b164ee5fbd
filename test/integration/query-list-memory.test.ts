import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../support/pipeline.ts';
import { metricValue } from '../../kit/prometheus-text.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { startQueryProcess, type QueryProcess } from '../fixtures/query-process.ts';

/**
 * GET /v1/calls over 200,000 stored calls, from the real service process: every call comes back, in
 * order, in one valid JSON array, while the process's resident memory stays within a fixed bound of
 * what it used before (the body itself is about twice that bound). The calls are bulk-loaded with SQL
 * (the consumer's tables, its column shapes); a quarter of them have a bot session with two lines and
 * half of them a contact, so every join of the list query does real work.
 */
const CALLS = 200_000;
/** Measured growth while streaming is ~5–12 MiB; the body is about twice this bound. */
const RSS_BOUND = 32 * 1024 * 1024;

async function bulkLoad(db: TestDatabase, tenantId: string): Promise<void> {
  const callId = `'bulk-' || lpad(i::text, 6, '0')`;
  const startOf = `timestamptz '2021-08-01 00:00:00+09' + i * interval '4 seconds'`;
  await db.pool.query(
    `insert into calls (tenant_id, call_id, workflow, from_number, to_number, relay_number, call_start_time,
       call_end_time, call_duration, called_result, hangup_cause, contact_name, contact_mobile, remark, ad_task_id,
       raw, event_id, received_at, source_partition, source_offset,
       customer_id, has_instance, first_robot_id, first_robot_name, first_robot_def_id, has_dialogue_lines, first_line_at, check_point)
     select $1::uuid, ${callId}, 2, '0312345678', '090' || lpad(i::text, 8, '0'), '0500000000', ${startOf},
       ${startOf} + interval '30 seconds', case when i % 4 = 0 then 30 else 0 end, case when i % 4 = 0 then 2 else 1 end,
       case i % 4 when 1 then '話中' when 2 then '着信拒否' end,
       case when i % 2 = 0 then '顧客 ' || i end, case when i % 2 = 0 then '080' || lpad((i % 5000)::text, 8, '0') end,
       'メモ ' || i, 1762, jsonb_build_object('callId', ${callId}), gen_random_uuid(), now(), 0, i,
       -- The read model of the sessions and lines below, as the consumer would have written it.
       case when i % 2 = 0 then md5('080' || lpad((i % 5000)::text, 8, '0'))::uuid end, i % 4 = 0,
       case when i % 4 = 0 then 25233 end, case when i % 4 = 0 then 'Fテスト_英語1' end, case when i % 4 = 0 then 30724 end,
       i % 4 = 0, case when i % 4 = 0 then ${startOf} + interval '1 second' end, case when i % 4 = 0 then 'ノード' end
     from generate_series(0, $2::int - 1) as i`,
    [tenantId, CALLS],
  );
  await db.pool.query(
    `insert into call_instances (tenant_id, call_id, instance_seq, instance_id, robot_id, robot_def_id, robot_name)
     select $1::uuid, ${callId}, 1, i, 25233, 30724, 'Fテスト_英語1' from generate_series(0, $2::int - 1, 4) as i`,
    [tenantId, CALLS],
  );
  await db.pool.query(
    `insert into dialogue_lines (tenant_id, call_id, instance_seq, seq, robot_id, dialogue_role, started_at, content, match_type, match_name)
     select $1::uuid, ${callId}, 1, s, 25233, s, ${startOf} + s * interval '1 second', 'line ' || s,
       case when s = 2 then 1 end, case when s = 2 then 'ノード' else '' end
     from generate_series(0, $2::int - 1, 4) as i, generate_series(1, 2) as s`,
    [tenantId, CALLS],
  );
  await db.pool.query(
    `insert into contacts (tenant_id, customer_id, first_stored_at, last_stored_at)
     select tenant_id, customer_id, min(received_at), max(received_at) from calls where customer_id is not null group by 1, 2`,
  );
  await db.pool.query('analyze calls, call_instances, dialogue_lines, contacts');
}

describe('GET /v1/calls over 200,000 calls', () => {
  let db: TestDatabase;
  let tenant: CreatedTenant;
  let service: QueryProcess;

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    db.pool.on('error', () => undefined); // see startQueryTestPipeline: a teardown race, not a test failure
    tenant = await createTenantRepository(db.pool).create({ name: 'bulk', timezone: 'Asia/Tokyo' });
    await bulkLoad(db, tenant.tenantId);
    service = await startQueryProcess({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: '2', QUERY_SHUTDOWN_DRAIN_MS: '500' });
  }, 120_000);
  afterAll(async () => {
    const code = await service?.stop();
    await db?.drop();
    expect(code, service?.output()).toBe(0);
  });

  const list = (query: string) =>
    fetch(`${service.baseUrl}/v1/calls?${query}`, {
      headers: { 'x-commubo-tenantId': tenant.tenantId, 'x-commubo-accessToken': tenant.accessToken },
    });

  it('returns them all, in order, as one JSON array, with the service RSS within a fixed bound', { timeout: 120_000 }, async () => {
    // Warm up on one day (21,600 calls), so the baseline includes what streaming itself needs.
    const warmUp = await list('start=2021-08-01&end=2021-08-01&expand=all');
    expect(((await warmUp.json()) as unknown[]).length).toBe(21_600);
    const baseline = service.rss();

    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, service.rss())), 20);
    const response = await list('start=2021-08-01&end=2021-08-31&expand=all');
    expect(response.status).toBe(200);

    let received = 0;
    let bytes = 0;
    let pending = '';
    const lines: string[] = [];
    const decoder = new TextDecoder();
    // Plain checks per element (an expect() each would dominate the run); the counts are asserted below.
    const misplaced: string[] = [];
    const check = (text: string, last: boolean) => {
      if (!last && !text.endsWith(',')) misplaced.push(`no comma after element ${received}`);
      const call = JSON.parse(last ? text : text.slice(0, -1)) as { callId: string };
      const expected = `bulk-${String(received).padStart(6, '0')}`;
      if (call.callId !== expected) misplaced.push(`${call.callId} where ${expected} belongs`);
      received += 1;
    };
    try {
      for await (const chunk of response.body!) {
        bytes += chunk.byteLength;
        peak = Math.max(peak, service.rss());
        pending += decoder.decode(chunk, { stream: true });
        const complete = pending.split('\n');
        pending = complete.pop()!;
        lines.push(...complete);
        // Keep the previous line: only the line after an element says whether it was the last one.
        while (lines.length > 1) {
          const line = lines.shift()!;
          if (line === '[' && received === 0) continue;
          check(line, lines[0] === ']');
        }
      }
    } finally {
      clearInterval(sampler);
    }
    expect([...lines, pending]).toEqual([']', '']);
    expect(misplaced.slice(0, 5)).toEqual([]);
    expect(received).toBe(CALLS);
    // Holding the body (or its 200,000 objects) would blow the bound many times over.
    expect(bytes).toBeGreaterThan(1.5 * RSS_BOUND);
    expect(peak - baseline, `baseline ${baseline}, peak ${peak}`).toBeLessThan(RSS_BOUND);
  });

  it('a client that goes away mid-stream gets its cursor closed and its connection back in the pool', async () => {
    const aborter = new AbortController();
    const response = await fetch(`${service.baseUrl}/v1/calls?start=2021-08-01&end=2021-08-31`, {
      headers: { 'x-commubo-tenantId': tenant.tenantId, 'x-commubo-accessToken': tenant.accessToken },
      signal: aborter.signal,
    });
    const reader = response.body!.getReader();
    for (let chunks = 0; chunks < 3; chunks += 1) expect((await reader.read()).done).toBe(false);
    aborter.abort();
    await reader.closed.catch(() => undefined);

    const inUse = async () =>
      metricValue(await (await fetch(`${service.baseUrl}/metrics`)).text(), 'db_pool_connections', { state: 'in_use', service: 'query' });
    expect(await eventually(async () => ((await inUse()) === 0 ? 0 : undefined))).toBe(0);
    const { rows } = await db.pool.query(
      `select state, query from pg_stat_activity where datname = current_database() and application_name = 'callstream-query'`,
    );
    expect(rows.filter((row) => row.state !== 'idle')).toEqual([]);
    // And the service still answers from that pool.
    expect((await list('start=2021-08-01&end=2021-08-01&limit=3')).status).toBe(200);
  });
});
