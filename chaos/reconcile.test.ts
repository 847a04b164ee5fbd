import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { processBatch } from '../services/consumer/batch-processor.ts';
import { createTenantRepository, type CreatedTenant } from '../shared/tenants/repository.ts';
import { envelopeOf, variantCallback } from '../kit/callbacks.ts';
import { reconcile, storedCalls, type CallOutcome } from '../kit/reconcile.ts';
import { createTestDatabase, type TestDatabase } from '../kit/test-database.ts';

/**
 * The chaos reconciliation itself, on tables the consumer's batch processor wrote: it must count a
 * missing call, a stale version, a missing line and a duplicated row, or its zeros would mean nothing.
 */
let db: TestDatabase;
let tenant: CreatedTenant;
const outcome = (call: number, versions: number[], lastAccepted: number): CallOutcome => ({
  call,
  deliveries: versions.map((version) => variantCallback(call, version)),
  lastAccepted,
  attempted: versions.length,
});

beforeAll(async () => {
  db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  tenant = await createTenantRepository(db.pool).create({ name: 'reconcile', timezone: 'Asia/Tokyo' });
  // Calls 1..4 stored in version 0, call 5 in version 1; call 6 never stored.
  const stored = [1, 2, 3, 4].map((call) => variantCallback(call, 0)).concat([variantCallback(5, 1)]);
  const records = stored.map((callback, offset) => ({
    partition: 0,
    offset: String(offset),
    value: Buffer.from(
      JSON.stringify(envelopeOf(tenant.tenantId, callback, crypto.randomUUID(), new Date(Date.UTC(2026, 0, 1, 0, 0, offset)))),
    ),
  }));
  // The one tenant is in Tokyo; the reconciliation, not the time-zone lookup, is under test.
  await processBatch(db.pool, async () => 'Asia/Tokyo', records);
});

afterAll(async () => {
  await db?.drop();
});

describe('chaos reconciliation', () => {
  it('counts stored calls, and a newer delivery sent after the last 200 as stored too', async () => {
    const result = reconcile([outcome(1, [0], 0), outcome(5, [0, 1], 0)], await storedCalls(db.pool, tenant.tenantId));
    expect(result).toEqual({ acceptedCalls: 2, stored: 2, lost: 0, duplicated: 0, problems: [] });
  });

  it('counts as lost a call never stored, and a call holding an older version than its last 200', async () => {
    const result = reconcile([outcome(6, [0], 0), outcome(2, [0, 1], 1)], await storedCalls(db.pool, tenant.tenantId));
    expect({ ...result, problems: result.problems.length }).toEqual({ acceptedCalls: 2, stored: 0, lost: 2, duplicated: 0, problems: 2 });
  });

  it('ignores calls that never got a 200', async () => {
    const result = reconcile([outcome(7, [0], -1)], await storedCalls(db.pool, tenant.tenantId));
    expect(result.acceptedCalls).toBe(0);
  });

  it('counts a missing dialogue line as lost and an extra label row as duplicated', async () => {
    // Call 4 has one session of two lines; call 3 has no session.
    const [call3, call4] = [variantCallback(3, 0).callId, variantCallback(4, 0).callId];
    const deleted = await db.pool.query('delete from dialogue_lines where tenant_id = $1 and call_id = $2 and seq = 1', [
      tenant.tenantId,
      call4,
    ]);
    expect(deleted.rowCount).toBe(1);
    await db.pool.query(
      `insert into call_labels (tenant_id, call_id, label_seq, instance_seq, name) values ($1, $2, 1000, null, 'again')`,
      [tenant.tenantId, call3],
    );
    const result = reconcile([outcome(3, [0], 0), outcome(4, [0], 0)], await storedCalls(db.pool, tenant.tenantId));
    expect({ ...result, problems: result.problems.length }).toEqual({ acceptedCalls: 2, stored: 0, lost: 1, duplicated: 1, problems: 2 });
  });
});
