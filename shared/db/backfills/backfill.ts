import type { PoolClient } from '../pool.ts';

/**
 * A back-fill: rows a migration added columns or tables for, filled in batches after its SQL file, each
 * batch in a transaction of its own, so that no lock is held over the whole table and a back-fill cut
 * short goes on where it stopped. Recorded in schema_migrations under its name once it has run through.
 */
export interface BackfillCursor {
  tenantId: string;
  callId: string;
}

/** Before every call: the least UUID and the least text. */
export const BACKFILL_START: BackfillCursor = { tenantId: '00000000-0000-0000-0000-000000000000', callId: '' };

export interface BackfillBatch {
  /** Rows the batch looked at; fewer than the limit: the last batch. */
  taken: number;
  /** Rows it changed. */
  changed: number;
  /** Where the next batch begins; null when this one took nothing. */
  next: BackfillCursor | null;
}

export interface Backfill {
  name: string;
  /** The migration whose columns it fills: it runs right after that file is applied. */
  after: string;
  batch(client: PoolClient, after: BackfillCursor, limit: number): Promise<BackfillBatch>;
}
