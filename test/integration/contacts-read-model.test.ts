import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { envelopeOf, variantCallback, type RawCallback } from '../../kit/callbacks.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { flattenCall } from '../../services/consumer/steps/flatten-call.ts';
import { writeCalls } from '../../services/consumer/steps/write-calls.ts';
import { customerIdFor } from '../../shared/calls/customer-id.ts';
import { eraseSelectedCalls } from '../../shared/calls/erase.ts';
import { runRetention } from '../../shared/calls/retention-run.ts';
import { inTransaction } from '../../shared/db/pool.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';

/**
 * The contacts read model follows the calls whatever order their deliveries come in: a contact's first
 * and last stored times are the least and greatest receivedAt of the calls stored with it now. A call
 * redelivered with another contact leaves the old one, an older redelivery changes nothing, and an
 * erasure or an expiry takes the contact with its last call.
 */
const TOKYO = 'Asia/Tokyo';
const at = (hour: number) => new Date(Date.UTC(2026, 0, 2, hour));

describe('contacts', () => {
  let db: TestDatabase;
  let tenantId: string;
  let offset = 0;

  const withMobile = (index: number, mobile: string): RawCallback => ({
    ...variantCallback(index),
    contactDetailRel: { name: 'n', mobile },
  });
  const deliver = (...deliveries: [RawCallback, Date][]) =>
    inTransaction(db.pool, (client) =>
      writeCalls(
        client,
        deliveries.map(([callback, receivedAt]) =>
          flattenCall(envelopeOf(tenantId, callback, randomUUID(), receivedAt), TOKYO, { partition: 0, offset: String((offset += 1)) }),
        ),
      ),
    );
  const contacts = async () => {
    const { rows } = await db.pool.query(
      'select customer_id, first_stored_at, last_stored_at from contacts order by first_stored_at, customer_id',
    );
    return rows;
  };
  const contact = (mobile: string, first: Date, last: Date) => ({
    customer_id: customerIdFor(tenantId, mobile),
    first_stored_at: first,
    last_stored_at: last,
  });

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    ({ tenantId } = await createTenantRepository(db.pool).create({ name: 'contacts', timezone: TOKYO }));
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('spans the calls of a contact, follows a call to its new contact, and ignores an older redelivery', async () => {
    await deliver([withMobile(1, '0101'), at(1)], [withMobile(2, '0101'), at(3)]);
    await deliver([withMobile(3, '0101'), at(2)]);
    expect(await contacts()).toEqual([contact('0101', at(1), at(3))]);

    // Call 1 now belongs to 0202: 0101 keeps calls 2 and 3 only.
    await deliver([withMobile(1, '0202'), at(4)]);
    expect(await contacts()).toEqual([contact('0101', at(2), at(3)), contact('0202', at(4), at(4))]);

    // An older delivery of call 1 (still with 0101) loses to the stored one: nothing moves.
    await deliver([withMobile(1, '0101'), at(0)]);
    expect(await contacts()).toEqual([contact('0101', at(2), at(3)), contact('0202', at(4), at(4))]);

    // Both deliveries of call 2 in one batch: the newer wins, and 0101 is redone from it.
    await deliver([withMobile(2, '0202'), at(6)], [withMobile(2, '0101'), at(5)]);
    expect(await contacts()).toEqual([contact('0101', at(2), at(2)), contact('0202', at(4), at(6))]);
  });

  it('goes with the last call of the contact when it is erased, and is redone when one of several is', async () => {
    await eraseSelectedCalls(db.pool, {
      tenantId,
      selector: { kind: 'call-id', callId: variantCallback(3).callId },
      dryRun: false,
      hashKey: 'k',
    });
    expect(await contacts()).toEqual([contact('0202', at(4), at(6))]);
    await eraseSelectedCalls(db.pool, { tenantId, selector: { kind: 'phone-number', phoneNumber: '0202' }, dryRun: false, hashKey: 'k' });
    expect(await contacts()).toEqual([]);
  });

  it('goes with its calls when they expire, and keeps the dates of the calls left', async () => {
    await deliver([withMobile(10, '0303'), at(1)], [withMobile(11, '0303'), at(2)]);
    // variantCallback(10) started on 2021-05-11, (11) on 2021-05-12: expire the first one only.
    await db.pool.query(`update tenants set retention_days = 1 where tenant_id = $1`, [tenantId]);
    await db.pool.query(`update calls set call_start_time = now() - interval '2 days' where call_id = $1`, [variantCallback(10).callId]);
    await db.pool.query(`update calls set call_start_time = now() where call_id = $1`, [variantCallback(11).callId]);
    expect((await runRetention(db.pool, { tenantId })).deletedCalls).toBe(1);
    expect(await contacts()).toEqual([contact('0303', at(2), at(2))]);
  });
});
