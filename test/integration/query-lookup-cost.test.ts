import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { envelopeOf, variantCallback } from '../../kit/callbacks.ts';
import { executionBuffers } from '../../kit/lookup-cost.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { flattenCall } from '../../services/consumer/steps/flatten-call.ts';
import { writeCalls } from '../../services/consumer/steps/write-calls.ts';
import { callSummaryRow, callSummarySelect } from '../../services/query/call-summary-sql.ts';
import { createCallsRepository, findCallStatement } from '../../services/query/calls-repository.ts';
import { inTransaction } from '../../shared/db/pool.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';

/**
 * GET /v1/calls/{callId} reads the call's row and its contact's row, nothing else: its statement names
 * no session or line table and no other call, and on a filled table its execution touches at most six
 * shared buffers (two index descents and two heap pages), however many sessions and lines the calls have.
 */
const CALLS = 6_000;
const TOKYO = 'Asia/Tokyo';

describe('the lookup statement', () => {
  let db: TestDatabase;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    ({ tenantId } = await createTenantRepository(db.pool).create({ name: 'lookups', timezone: TOKYO }));
    const base = Date.parse('2026-01-02T03:04:05.000Z');
    for (let first = 0; first < CALLS; first += 500) {
      const rows = Array.from({ length: 500 }, (_, k) => {
        const index = first + k;
        const callback = {
          ...variantCallback(index),
          contactDetailRel: { name: `contact ${index % 700}`, mobile: `0${90_000_000 + (index % 700)}` },
        };
        return flattenCall(envelopeOf(tenantId, callback, randomUUID(), new Date(base + index * 1_000)), TOKYO, {
          partition: 0,
          offset: String(index),
        });
      });
      await inTransaction(db.pool, (client) => writeCalls(client, rows));
    }
    await db.pool.query('vacuum analyze');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('reads from calls and contacts only', () => {
    const tables = [...findCallStatement.text.matchAll(/\b(?:from|join)\s+([a-z_]+)/g)].map((match) => match[1]);
    expect(tables).toEqual(['calls', 'contacts']);
    expect(findCallStatement.text).not.toMatch(/\bcall_instances\b|\bdialogue_lines\b|\blateral\b|\bmin\(|\bmax\(/);
    // The unexpanded list does without the contact.
    expect([...callSummarySelect({ withContactDates: false }).matchAll(/\b(?:from|join)\s+([a-z_]+)/g)].map((match) => match[1])).toEqual([
      'calls',
    ]);
  });

  it('touches at most 6 shared buffers per lookup on a filled table', async () => {
    const { rows } = await db.pool.query<{ call_id: string }>('select call_id from calls order by random() limit 50');
    expect(rows).toHaveLength(50);
    const buffers: number[] = [];
    for (const { call_id } of rows)
      buffers.push(await executionBuffers(db.pool, { text: findCallStatement.text, types: ['uuid', 'text'] }, [tenantId, call_id]));
    expect(Math.max(...buffers)).toBeLessThanOrEqual(6);
    // Each lookup found its call and its contact: two index probes and two heap pages at the least.
    expect(Math.min(...buffers)).toBeGreaterThanOrEqual(4);
  });

  it("returns rows of exactly the schema the mapper reads (the service checks only the columns' names and types)", async () => {
    const calls = createCallsRepository(db.pool);
    const { rows } = await db.pool.query<{ call_id: string }>('select call_id from calls order by random() limit 20');
    for (const { call_id } of rows) {
      const row = await calls.findCall(tenantId, call_id);
      expect(callSummaryRow.strict().parse(row)).toEqual(row);
      expect(row!.customer_id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
