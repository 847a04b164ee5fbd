import { inTransaction, type Pool } from '../db/pool.ts';
import { refreshContacts } from './contacts.ts';
import { TenantNotFoundError } from '../tenants/repository.ts';
import { deleteExpiredCalls, RETENTION_START, tenantRetentions } from './retention.ts';

/** Calls per batch, each batch its own short transaction. */
export const RETENTION_BATCH_SIZE = 1_000;

export interface RetentionOptions {
  /** One tenant only (it must exist); by default every tenant with a retention. */
  tenantId?: string;
  batchSize?: number;
  /** Asked before each batch: true ends the run there (the consumer is stopping). */
  stopped?: () => boolean;
  /** After each batch committed, with the calls it deleted. */
  onDeleted?: (calls: number) => void;
}

export interface TenantRetentionResult {
  tenantId: string;
  retentionDays: number | null;
  /** Calls that started before this were deleted; null when the tenant keeps its calls for ever. */
  deletedBefore: string | null;
  deletedCalls: number;
}

export interface RetentionResult {
  deletedCalls: number;
  tenants: TenantRetentionResult[];
}

/**
 * Deletes every call older than its tenant's retention_days (counted from callStartTime), with all its
 * rows, tenant after tenant, in batches of `batchSize` calls in (callStartTime, callId) order. Used by the
 * consumer's periodic job and by `npm run cli -- retention run`; two runs at once share the work (each
 * batch skips the calls the other holds).
 */
export async function runRetention(db: Pool, options: RetentionOptions = {}): Promise<RetentionResult> {
  const batchSize = options.batchSize ?? RETENTION_BATCH_SIZE;
  const retentions = await tenantRetentions(db, options.tenantId ?? null);
  if (options.tenantId !== undefined && retentions.length === 0) throw new TenantNotFoundError(options.tenantId);
  const tenants: TenantRetentionResult[] = [];
  for (const { tenantId, retentionDays, cutoff } of retentions) {
    let deletedCalls = 0;
    if (cutoff !== null) {
      for (let cursor = RETENTION_START; !options.stopped?.();) {
        const batch = await inTransaction(db, async (client) => {
          const deleted = await deleteExpiredCalls(client, tenantId, cutoff, cursor, batchSize);
          await refreshContacts(client, deleted.contacts);
          return deleted;
        });
        deletedCalls += batch.deleted;
        options.onDeleted?.(batch.deleted);
        if (batch.taken < batchSize || batch.next === null) break;
        cursor = batch.next;
      }
    }
    tenants.push({ tenantId, retentionDays, deletedBefore: cutoff?.toISOString() ?? null, deletedCalls });
  }
  return { deletedCalls: tenants.reduce((sum, tenant) => sum + tenant.deletedCalls, 0), tenants };
}
