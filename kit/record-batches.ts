/**
 * The record batches of a Fetch response, read from the bytes as the broker sends them: the batch
 * header only (offsets, record count, size and the codec in its attributes), never the records. This
 * is what tells whether the records on a topic really travel compressed; kafkajs decodes batches
 * without keeping their attributes, and a check through its registered codecs would trust the code
 * under test. Fetch v4, the oldest version every Kafka 3.x and 4.x broker still answers, has no tagged
 * fields, so it is plain big-endian fields throughout.
 */

/** The codec ids of the batch attributes' three lowest bits (the Kafka protocol's record batch). */
export const BATCH_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type BatchCodec = (typeof BATCH_CODECS)[number];

export interface BatchHeader {
  baseOffset: bigint;
  /** The offset after the batch's last record: where the next fetch starts. */
  nextOffset: bigint;
  records: number;
  /** The whole batch as stored and sent: its 61-byte header and the (compressed) records. */
  bytes: number;
  codec: BatchCodec;
}

export interface FetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  /** Whole batches only: a batch cut off at the end of the response is fetched again by the caller. */
  batches: BatchHeader[];
}

export class RecordBatchError extends Error {
  readonly code = 'RECORD_BATCH_UNREADABLE';
}

const BATCH_PREFIX_BYTES = 12; // baseOffset int64, batchLength int32
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const RECORD_COUNT_AT = 57;
const HEADER_BYTES = 61;
const CODEC_MASK = 0x07;
const CONTROL_BATCH = 0x20;

/** The batches of one partition's record set; a control batch (transaction marker) holds no records of ours. */
export function batchHeaders(records: Buffer): BatchHeader[] {
  const batches: BatchHeader[] = [];
  for (let at = 0; at + BATCH_PREFIX_BYTES <= records.length;) {
    const bytes = BATCH_PREFIX_BYTES + records.readInt32BE(at + 8);
    if (at + bytes > records.length) break;
    if (bytes < HEADER_BYTES) throw new RecordBatchError(`a record batch of ${bytes} bytes is shorter than its header`);
    const magic = records.readInt8(at + MAGIC_AT);
    if (magic !== 2) throw new RecordBatchError(`record batch magic ${magic}; only v2 batches exist since Kafka 0.11`);
    const attributes = records.readInt16BE(at + ATTRIBUTES_AT);
    const codec = BATCH_CODECS[attributes & CODEC_MASK];
    if (!codec) throw new RecordBatchError(`record batch codec id ${attributes & CODEC_MASK} is not a Kafka codec`);
    const baseOffset = records.readBigInt64BE(at);
    if ((attributes & CONTROL_BATCH) === 0) {
      batches.push({
        baseOffset,
        nextOffset: baseOffset + BigInt(records.readInt32BE(at + LAST_OFFSET_DELTA_AT)) + 1n,
        records: records.readInt32BE(at + RECORD_COUNT_AT),
        bytes,
        codec,
      });
    }
    at += bytes;
  }
  return batches;
}

/**
 * A Fetch v4 request for one partition from an offset, with its size prefix. One partition a request:
 * the broker always returns the first batch whole, even one above maxBytes, so every fetch progresses.
 */
export function fetchRequest(options: {
  correlationId: number;
  clientId: string;
  topic: string;
  partition: number;
  offset: bigint;
  maxBytes: number;
}): Buffer {
  const clientId = Buffer.from(options.clientId);
  const topic = Buffer.from(options.topic);
  const body = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length + 4 * 4 + 1 + 4 + 2 + topic.length + 4 + 16);
  let at = body.writeInt32BE(body.length - 4, 0);
  at = body.writeInt16BE(1, at); // api key: Fetch
  at = body.writeInt16BE(4, at); // api version
  at = body.writeInt32BE(options.correlationId, at);
  at = body.writeInt16BE(clientId.length, at);
  at += clientId.copy(body, at);
  at = body.writeInt32BE(-1, at); // replica id: a consumer
  at = body.writeInt32BE(0, at); // max wait: answer with what is there
  at = body.writeInt32BE(0, at); // min bytes
  at = body.writeInt32BE(options.maxBytes, at);
  at = body.writeInt8(0, at); // read uncommitted
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(topic.length, at);
  at += topic.copy(body, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt32BE(options.partition, at);
  at = body.writeBigInt64BE(options.offset, at);
  body.writeInt32BE(options.maxBytes, at);
  return body;
}

/** A Fetch v4 response (without its size prefix): every partition with the whole batches it carries. */
export function fetchResponse(response: Buffer): { correlationId: number; partitions: FetchedPartition[] } {
  let at = 0;
  const int16 = () => ((at += 2), response.readInt16BE(at - 2));
  const int32 = () => ((at += 4), response.readInt32BE(at - 4));
  const int64 = () => ((at += 8), response.readBigInt64BE(at - 8));
  const correlationId = int32();
  int32(); // throttle time
  const partitions: FetchedPartition[] = [];
  for (let topics = int32(); topics > 0; topics--) {
    const nameBytes = int16();
    at += nameBytes;
    for (let count = int32(); count > 0; count--) {
      const partition = int32();
      const errorCode = int16();
      const highWatermark = int64();
      int64(); // last stable offset
      const aborted = int32();
      if (aborted > 0) at += aborted * 16;
      const length = int32();
      const records = length > 0 ? response.subarray(at, at + length) : Buffer.alloc(0);
      at += Math.max(0, length);
      partitions.push({ partition, errorCode, highWatermark, batches: batchHeaders(records) });
    }
  }
  return { correlationId, partitions };
}
