import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { processBatch } from '../../services/consumer/batch-processor.ts';
import { envelopeOf, seedCallback, type RawCallback } from '../../kit/callbacks.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { timeZonesOf } from '../support/consumer-state.ts';

/**
 * The analytics views over calls written by the consumer's own batch writer, and every example query of
 * docs/analytics.md run as written. Days are the tenant's local dates: a call at 00:30 in Tokyo belongs to
 * that Tokyo day, although it is the previous day in UTC.
 */
const TOKYO = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const LOS_ANGELES = '8e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b';
const AT = new Date('2026-01-02T03:04:05.000Z');
const docs = readFileSync(new URL('../../docs/analytics.md', import.meta.url), 'utf8');

function call(callId: string, overrides: Partial<RawCallback>): RawCallback {
  return { ...seedCallback(), callId, ...overrides };
}

const noDialogue = { instances: [], robotNames: [], labelInfos: [] };

describe('analytics views', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    const tenants = createTenantRepository(db.pool);
    await tenants.create({ tenantId: TOKYO, name: 'tokyo', timezone: 'Asia/Tokyo' });
    await tenants.create({ tenantId: LOS_ANGELES, name: 'los angeles', timezone: 'America/Los_Angeles' });
    const seed = seedCallback();
    const [instance] = seed.instances as Record<string, unknown>[];
    const calls: [string, RawCallback][] = [
      // The seed: a two-way call with a dialogue, not "connected" per calledResult but it talked.
      [TOKYO, call('call-1', {})],
      [
        TOKYO,
        call('call-2', {
          workflow: 4,
          callStartTime: '2021-05-29 00:30:00',
          callEndTime: '2021-05-29 00:30:30',
          callDuration: 30,
          calledResult: 2,
          intentionLabelKey: 'A',
          intentionLabelName: 'A級',
          ...noDialogue,
        }),
      ],
      [
        TOKYO,
        call('call-3', {
          workflow: 4,
          callStartTime: '2021-05-30 09:00:00',
          callEndTime: '2021-05-30 09:00:00',
          callDuration: 0,
          calledResult: 1,
          intentionLabelKey: null,
          intentionLabelName: null,
          ...noDialogue,
        }),
      ],
      [
        LOS_ANGELES,
        call('call-4', {
          workflow: 4,
          callStartTime: '2021-05-29 20:00:00',
          callEndTime: '2021-05-29 20:00:20',
          callDuration: 20,
          calledResult: 2,
          instances: [
            {
              ...instance,
              dialogueStartTime: '2021-05-29 20:00:00',
              dialogueEndTime: '2021-05-29 20:00:18',
              dialogueRound: 3,
              dialogueDuration: 18,
            },
          ],
        }),
      ],
    ];
    const records = calls.map(([tenantId, callback], offset) => ({
      partition: 0,
      offset: String(offset),
      value: Buffer.from(JSON.stringify(envelopeOf(tenantId, callback, `40000000-0000-4000-8000-00000000000${offset}`, AT))),
    }));
    const outcome = await processBatch(db.pool, timeZonesOf(db.pool), records);
    expect(outcome.deadLetters).toEqual([]);
  });
  afterAll(() => db?.drop());

  it('counts calls per local day by result', async () => {
    const { rows } = await db.pool.query(
      `select tenant_id, call_date::text, workflow, connected, called_result, call_result, calls, total_call_seconds
       from analytics_calls_per_day order by tenant_id desc, call_date, workflow`,
    );
    // One row per line, in the order of the select's columns.
    const columns = ['tenant_id', 'call_date', 'workflow', 'connected', 'called_result', 'call_result', 'calls', 'total_call_seconds'];
    const row = (...values: unknown[]) => Object.fromEntries(columns.map((column, index) => [column, values[index]]));
    expect(rows).toEqual([
      row(LOS_ANGELES, '2021-05-29', 4, true, 2, 1, 1, 20),
      row(TOKYO, '2021-05-29', 3, true, 1, 1, 1, 14),
      row(TOKYO, '2021-05-29', 4, true, 2, 1, 1, 30),
      row(TOKYO, '2021-05-30', 4, false, 1, 1, 1, 0),
    ]);
  });

  it('distributes calls over intent grades per local day', async () => {
    const { rows } = await db.pool.query(
      `select tenant_id, call_date::text, intention_label_key, intention_label_name, calls
       from analytics_intent_grades order by tenant_id desc, call_date, intention_label_key`,
    );
    expect(rows).toEqual([
      { tenant_id: LOS_ANGELES, call_date: '2021-05-29', intention_label_key: 'C', intention_label_name: 'C級(明確な拒否)', calls: 1 },
      { tenant_id: TOKYO, call_date: '2021-05-29', intention_label_key: 'A', intention_label_name: 'A級', calls: 1 },
      { tenant_id: TOKYO, call_date: '2021-05-29', intention_label_key: 'C', intention_label_name: 'C級(明確な拒否)', calls: 1 },
      { tenant_id: TOKYO, call_date: '2021-05-30', intention_label_key: null, intention_label_name: null, calls: 1 },
    ]);
  });

  it('sums dialogue rounds and durations per scenario and local day', async () => {
    const { rows } = await db.pool.query(
      `select tenant_id, call_date::text, robot_def_id, robot_name, sessions, total_rounds, avg_rounds, max_rounds,
              total_dialogue_seconds, avg_dialogue_seconds
       from analytics_scenario_dialogues order by tenant_id desc, call_date`,
    );
    const scenario = { call_date: '2021-05-29', robot_def_id: 30724, robot_name: 'Fテスト_英語1', sessions: 1 };
    expect(rows).toEqual([
      {
        tenant_id: LOS_ANGELES,
        ...scenario,
        total_rounds: 3,
        avg_rounds: '3.00',
        max_rounds: 3,
        total_dialogue_seconds: 18,
        avg_dialogue_seconds: '18.00',
      },
      {
        tenant_id: TOKYO,
        ...scenario,
        total_rounds: 1,
        avg_rounds: '1.00',
        max_rounds: 1,
        total_dialogue_seconds: 13,
        avg_dialogue_seconds: '13.00',
      },
    ]);
  });

  it('runs every example query of docs/analytics.md', async () => {
    // psql variables become parameters: :'tenant_id' → $1, :'call_id' → $2 (the seed's call).
    const run = (query: string) => {
      const sql = query.replaceAll(":'tenant_id'", '$1::uuid').replaceAll(":'call_id'", '$2::text');
      return db.pool.query(sql, sql.includes('$2') ? [TOKYO, 'call-1'] : [TOKYO]);
    };
    const queries = [...docs.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(queries.length).toBeGreaterThanOrEqual(8);
    for (const query of queries) {
      const { rows } = await run(query);
      expect(rows.length, query).toBeGreaterThan(0);
    }
    const [perDay] = queries;
    expect((await run(perDay!)).rows).toEqual([
      { call_date: new Date(2021, 4, 29), calls: '2', connected: '2', connect_rate_pct: '100.0' },
      { call_date: new Date(2021, 4, 30), calls: '1', connected: '0', connect_rate_pct: '0.0' },
    ]);
  });
});
