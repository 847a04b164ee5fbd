/**
 * The pure part of coalescing: which waiting records go into the next produce request. A batch holds at
 * most maxRecords records and maxBytes bytes, so that no partition's record batch can exceed what the
 * topic accepts; a single record above maxBytes is never batched (the publisher refuses it as too large).
 */
export interface Sized {
  bytes: number;
}

/** Estimated bytes of one record on the wire: key, value, headers, plus Kafka's per-record framing. */
export function recordBytes(record: { key: string; value: string; headers: Record<string, string> }): number {
  let bytes = Buffer.byteLength(record.key) + Buffer.byteLength(record.value) + RECORD_OVERHEAD_BYTES;
  for (const [name, value] of Object.entries(record.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
  return bytes;
}

/** Varint lengths, attributes, timestamp and offset deltas: generous, so estimates never fall short. */
export const RECORD_OVERHEAD_BYTES = 32;

/** How many of the waiting records (from the front) the next batch takes; at least one. */
export function nextBatchLength(waiting: readonly Sized[], maxRecords: number, maxBytes: number): number {
  let bytes = 0;
  let length = 0;
  for (const record of waiting) {
    if (length >= maxRecords || (length > 0 && bytes + record.bytes > maxBytes)) break;
    bytes += record.bytes;
    length++;
  }
  return length;
}
