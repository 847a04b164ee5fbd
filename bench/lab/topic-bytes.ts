import type { StoredBatch } from '../../kit/stored-batches.ts';

/**
 * What the callbacks cost on the topic: the record batches' bytes (header and records, compressed as the
 * ingress sent them) over the records they hold. The broker stores the batches as the producer made them
 * (topics keep compression.type=producer), so this is what each produce request carried for its records,
 * what replicas copy and what every subscriber fetches; only the requests' own framing (tens of bytes per
 * partition per request) is left out.
 */
export interface TopicBytes {
  bytes_per_callback: number | null;
  records_per_batch: number | null;
  records: number;
}

export function topicBytes(batches: readonly StoredBatch[]): TopicBytes {
  const records = batches.reduce((sum, batch) => sum + batch.records, 0);
  const bytes = batches.reduce((sum, batch) => sum + batch.bytes, 0);
  return {
    bytes_per_callback: records === 0 ? null : Math.round(bytes / records),
    records_per_batch: records === 0 ? null : Math.round((records / batches.length) * 10) / 10,
    records,
  };
}

/** The batches written before the partitions' end offsets `at` (taken between two phases), and those after. */
export function splitAtOffsets(
  batches: readonly StoredBatch[],
  at: ReadonlyMap<number, bigint>,
): { before: StoredBatch[]; after: StoredBatch[] } {
  const split = { before: [] as StoredBatch[], after: [] as StoredBatch[] };
  for (const batch of batches) (batch.baseOffset < (at.get(batch.partition) ?? 0n) ? split.before : split.after).push(batch);
  return split;
}
