/**
 * Per-tenant fairness in the publish queue. Below `sharedFrom` records anyone may add to the queue; from
 * there on a tenant already holding its fair share, `sharedFrom` divided among the tenants with records in
 * the queue, is turned away, so that the rest of the queue stays open to the others: a tenant in a retry
 * storm can fill it to `sharedFrom`, never to its limit. A tenant holding nothing is always let in (as far
 * as the queue's own limit goes), and a full queue is left to refuse everyone alike.
 *
 * Pure: the caller says how deep the queue is; records enter and leave through the returned functions.
 */
export interface QueueShareLimits {
  /** PRODUCE_QUEUE_LIMIT: at this depth the queue refuses every record itself. */
  queueLimit: number;
  /** The depth from which the queue is shared out among the tenants holding records in it. */
  sharedFrom: number;
}

export interface QueueHolding {
  depth: number;
  /** Records the asking tenant holds in the queue. */
  held: number;
  /** Tenants holding at least one record, the asking one included if it holds any. */
  holders: number;
}

/** True when one more record of this tenant would take it past its share of a queue that is being shared. */
export function overShare({ depth, held, holders }: QueueHolding, { queueLimit, sharedFrom }: QueueShareLimits): boolean {
  if (held === 0 || depth < sharedFrom || depth >= queueLimit) return false;
  return held + 1 > sharedFrom / holders;
}

/** TENANT_QUEUE_SHARE_FROM_PERCENT of PRODUCE_QUEUE_LIMIT, as a depth; 100 % is the limit itself, sharing nothing. */
export function queueShareLimits(settings: { PRODUCE_QUEUE_LIMIT: number; TENANT_QUEUE_SHARE_FROM_PERCENT: number }): QueueShareLimits {
  const queueLimit = settings.PRODUCE_QUEUE_LIMIT;
  return { queueLimit, sharedFrom: Math.max(1, Math.ceil((queueLimit * settings.TENANT_QUEUE_SHARE_FROM_PERCENT) / 100)) };
}

export interface QueueShare {
  /** Whether the tenant may add a record to a queue `depth` records deep. */
  admits(tenantId: string, depth: number): boolean;
  /** One of the tenant's records entered the queue; call the returned function once it left (settled). */
  enter(tenantId: string): () => void;
  held(tenantId: string): number;
}

export function createQueueShare(limits: QueueShareLimits): QueueShare {
  // Only tenants with records in the queue have an entry, so the map is bounded by the queue's limit.
  const holdings = new Map<string, number>();
  const held = (tenantId: string) => holdings.get(tenantId) ?? 0;
  return {
    admits: (tenantId, depth) => !overShare({ depth, held: held(tenantId), holders: holdings.size }, limits),
    enter(tenantId) {
      holdings.set(tenantId, held(tenantId) + 1);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        const remaining = held(tenantId) - 1;
        if (remaining > 0) holdings.set(tenantId, remaining);
        else holdings.delete(tenantId);
      };
    },
    held,
  };
}
