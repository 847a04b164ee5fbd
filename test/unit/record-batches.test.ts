import { describe, expect, it } from 'vitest';
import { batchHeaders, fetchRequest, fetchResponse } from '../../kit/record-batches.ts';

/**
 * The batch reader the compression tests and the bench trust to say which codec records travel in:
 * header fields at their protocol offsets, the codec from the attributes' low bits, nothing made up
 * from a batch cut off at the end of a response.
 */
function batch(options: {
  baseOffset: bigint;
  attributes: number;
  lastOffsetDelta: number;
  records: number;
  payload: number;
  magic?: number;
}) {
  const bytes = Buffer.alloc(61 + options.payload, 0xab);
  bytes.writeBigInt64BE(options.baseOffset, 0);
  bytes.writeInt32BE(bytes.length - 12, 8);
  bytes.writeInt32BE(0, 12); // partition leader epoch
  bytes.writeInt8(options.magic ?? 2, 16);
  bytes.writeInt32BE(0, 17); // crc
  bytes.writeInt16BE(options.attributes, 21);
  bytes.writeInt32BE(options.lastOffsetDelta, 23);
  bytes.writeInt32BE(options.records, 57);
  return bytes;
}

describe('batchHeaders', () => {
  it.each([
    [0, 'none'],
    [1, 'gzip'],
    [2, 'snappy'],
    [3, 'lz4'],
    [4, 'zstd'],
    // Timestamp type (bit 3) and transactional (bit 4) do not touch the codec.
    [0x18 | 3, 'lz4'],
  ])('reads attributes %i as codec %s', (attributes, codec) => {
    expect(batchHeaders(batch({ baseOffset: 7n, attributes, lastOffsetDelta: 2, records: 3, payload: 40 }))).toEqual([
      { baseOffset: 7n, nextOffset: 10n, records: 3, bytes: 101, codec },
    ]);
  });

  it('reads consecutive batches and leaves out one cut off at the end and control batches', () => {
    const records = Buffer.concat([
      batch({ baseOffset: 0n, attributes: 1, lastOffsetDelta: 4, records: 5, payload: 100 }),
      batch({ baseOffset: 5n, attributes: 0x20, lastOffsetDelta: 0, records: 1, payload: 10 }),
      batch({ baseOffset: 6n, attributes: 3, lastOffsetDelta: 0, records: 1, payload: 20 }),
      batch({ baseOffset: 7n, attributes: 3, lastOffsetDelta: 0, records: 1, payload: 20 }).subarray(0, 50),
    ]);
    expect(batchHeaders(records)).toEqual([
      { baseOffset: 0n, nextOffset: 5n, records: 5, bytes: 161, codec: 'gzip' },
      { baseOffset: 6n, nextOffset: 7n, records: 1, bytes: 81, codec: 'lz4' },
    ]);
  });

  it('refuses what is no v2 record batch or names no Kafka codec', () => {
    expect(() => batchHeaders(batch({ baseOffset: 0n, attributes: 0, lastOffsetDelta: 0, records: 1, payload: 1, magic: 1 }))).toThrow(
      expect.objectContaining({ code: 'RECORD_BATCH_UNREADABLE', message: 'record batch magic 1; only v2 batches exist since Kafka 0.11' }),
    );
    expect(() => batchHeaders(batch({ baseOffset: 0n, attributes: 5, lastOffsetDelta: 0, records: 1, payload: 1 }))).toThrow(
      'record batch codec id 5 is not a Kafka codec',
    );
  });
});

describe('fetchRequest and fetchResponse', () => {
  it('writes a Fetch v4 request for one partition, its size first', () => {
    const request = fetchRequest({ correlationId: 9, clientId: 'c', topic: 'tp', partition: 2, offset: 5n, maxBytes: 1024 });
    expect(request.toString('hex')).toBe(
      [
        '00000038', // size: the 56 bytes that follow
        '0001', // Fetch
        '0004', // v4
        '00000009', // correlation id
        '0001' + '63', // client id "c"
        'ffffffff', // replica id -1
        '00000000', // max wait
        '00000000', // min bytes
        '00000400', // max bytes
        '00', // read uncommitted
        '00000001' + '0002' + '7470', // one topic, "tp"
        '00000001' + '00000002' + '0000000000000005' + '00000400', // partition 2 from offset 5
      ].join(''),
    );
  });

  it('reads partitions with their error code, high watermark and whole batches, past aborted transactions', () => {
    const records = batch({ baseOffset: 3n, attributes: 4, lastOffsetDelta: 1, records: 2, payload: 30 });
    const response = Buffer.concat([
      Buffer.from('0000000900000000' + '00000001' + '0002' + '7470' + '00000002', 'hex'),
      // partition 0: no error, high watermark 5, last stable 5, one aborted transaction, the batch
      Buffer.from('00000000' + '0000' + '0000000000000005' + '0000000000000005' + '00000001' + '00'.repeat(16), 'hex'),
      Buffer.from(records.length.toString(16).padStart(8, '0'), 'hex'),
      records,
      // partition 1: offset out of range, no aborted list, no records
      Buffer.from('00000001' + '0001' + '0000000000000000' + '0000000000000000' + 'ffffffff' + 'ffffffff', 'hex'),
    ]);
    expect(fetchResponse(response)).toEqual({
      correlationId: 9,
      partitions: [
        {
          partition: 0,
          errorCode: 0,
          highWatermark: 5n,
          batches: [{ baseOffset: 3n, nextOffset: 5n, records: 2, bytes: 91, codec: 'zstd' }],
        },
        { partition: 1, errorCode: 1, highWatermark: 0n, batches: [] },
      ],
    });
  });
});
