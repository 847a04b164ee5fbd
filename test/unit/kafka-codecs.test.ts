import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { compressionType } from '../../shared/kafka/codecs.ts';

/**
 * The codecs every client registers (shared/kafka/codecs.ts), in the forms Kafka's own clients write:
 * end to end against a broker and Kafka's Java producer in test/integration/compression.test.ts.
 */
const codec = (type: CompressionTypes) =>
  (
    CompressionCodecs[type as CompressionTypes.LZ4] as () => {
      compress(encoder: { buffer: Buffer }): Promise<Buffer>;
      decompress(buffer: Buffer): Promise<Buffer>;
    }
  )();

const records = Buffer.from(JSON.stringify({ line: 'うん。', padding: 'x'.repeat(200_000) }));

describe('compressionType', () => {
  it.each([
    ['none', CompressionTypes.None],
    ['gzip', CompressionTypes.GZIP],
    ['lz4', CompressionTypes.LZ4],
  ] as const)('sends %s as kafkajs compression %i', (name, type) => {
    expect(compressionType(name)).toBe(type);
  });
});

describe('the registered codecs', () => {
  it('writes LZ4 frames of independent blocks, the only kind Kafka reads (KIP-57), and reads them back', async () => {
    const lz4 = codec(CompressionTypes.LZ4);
    const frame = await lz4.compress({ buffer: records });
    expect(frame.readUInt32LE(0)).toBe(0x184d2204); // the LZ4 frame magic
    expect(frame[4]! & 0x20).toBe(0x20); // FLG: block independence
    expect(frame.length).toBeLessThan(records.length / 10);
    expect(await lz4.decompress(frame)).toEqual(records);
  });

  it('reads snappy in the xerial framing Java producers write, block by block', async () => {
    const snappy = codec(CompressionTypes.Snappy);
    const halves = [records.subarray(0, 100_000), records.subarray(100_000)];
    const blocks = await Promise.all(halves.map((half) => snappy.compress({ buffer: half })));
    const xerial = Buffer.concat([
      Buffer.from([0x82, ...Buffer.from('SNAPPY'), 0, 0, 0, 0, 1, 0, 0, 0, 1]),
      ...blocks.flatMap((block) => [Buffer.from(block.length.toString(16).padStart(8, '0'), 'hex'), block]),
    ]);
    expect(await snappy.decompress(xerial)).toEqual(records);
  });

  it('reads zstd frames and refuses to write them with a stable code', async () => {
    const zstd = codec(CompressionTypes.ZSTD);
    // A one-segment frame holding one raw block: magic, descriptor, content size, block header, bytes.
    const content = Buffer.from('stored as it came');
    const frame = Buffer.concat([
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, content.length]),
      Buffer.from([(1 | (content.length << 3)) & 0xff, (content.length << 3) >> 8, 0]),
      content,
    ]);
    expect(await zstd.decompress(frame)).toEqual(content);
    await expect(zstd.compress({ buffer: content })).rejects.toMatchObject({
      code: 'KAFKA_CODEC_UNSUPPORTED',
      message: 'zstd records are read but not written: set KAFKA_COMPRESSION to none, gzip or lz4',
    });
  });
});
