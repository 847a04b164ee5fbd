import { inTransaction, type Pool } from '../db/pool.ts';
import { createTenantRepository, TenantNotFoundError } from '../tenants/repository.ts';
import { erasureSelectorHash } from './erasure-hash.ts';
import { refreshContacts } from './contacts.ts';
import {
  callIdsWithPhoneNumber,
  contactsOfCalls,
  countCallRows,
  eraseCalls,
  type CallRowCounts,
  type ErasureSelectorKind,
} from './erasure.ts';
import { lockTenantForErasure } from './tenant-write-lock.ts';

/** Which calls of the tenant to erase: one call, or every call of a phone number. */
export type ErasureSelector = { kind: 'call-id'; callId: string } | { kind: 'phone-number'; phoneNumber: string };

export interface ErasureRequest {
  tenantId: string;
  selector: ErasureSelector;
  /** Count what would be deleted; change nothing, write no audit row. */
  dryRun: boolean;
  /** ERASURE_HASH_KEY. */
  hashKey: string;
}

export type ErasureOutcome =
  | { dryRun: true; tenantId: string; selector: ErasureSelectorKind; deleted: CallRowCounts }
  | {
      dryRun: false;
      erasureId: string;
      tenantId: string;
      erasedAt: string;
      selector: ErasureSelectorKind;
      /** The audit row's hash of the selector, hex. */
      selectorHash: string;
      deleted: CallRowCounts;
    };

const selectorValue = (selector: ErasureSelector) => (selector.kind === 'call-id' ? selector.callId : selector.phoneNumber);

/**
 * Erases the selected calls. A phone number is first looked up without any lock (it reads every call of
 * the tenant); then, holding the tenant's erasure lock (writes of the tenant wait, a few milliseconds),
 * those calls that still have the number are deleted, tombstoned and audited in one statement. A call id
 * is tombstoned even when no such call is stored: its deliveries still on the topic stay erased.
 */
export async function eraseSelectedCalls(db: Pool, request: ErasureRequest): Promise<ErasureOutcome> {
  const { tenantId, selector } = request;
  if (!(await createTenantRepository(db).find(tenantId))) throw new TenantNotFoundError(tenantId);
  const candidates = selector.kind === 'call-id' ? [selector.callId] : await callIdsWithPhoneNumber(db, tenantId, selector.phoneNumber);
  if (request.dryRun) return { dryRun: true, tenantId, selector: selector.kind, deleted: await countCallRows(db, tenantId, candidates) };

  const hash = erasureSelectorHash(request.hashKey, selector.kind, selectorValue(selector));
  const record = await inTransaction(db, async (client) => {
    await lockTenantForErasure(client, tenantId);
    const callIds =
      selector.kind === 'call-id' ? candidates : await callIdsWithPhoneNumber(client, tenantId, selector.phoneNumber, candidates);
    const contacts = await contactsOfCalls(client, tenantId, callIds);
    const erased = await eraseCalls(client, tenantId, callIds, selector.kind, hash);
    await refreshContacts(client, contacts);
    return erased;
  });
  const { erasureId, erasedAt, ...deleted } = record;
  return {
    dryRun: false,
    erasureId,
    tenantId,
    erasedAt: erasedAt.toISOString(),
    selector: selector.kind,
    selectorHash: hash.toString('hex'),
    deleted,
  };
}
