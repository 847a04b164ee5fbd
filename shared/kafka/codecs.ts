import kafkajs from 'kafkajs';
import { decompress as zstdDecompress } from 'fzstd';
import SnappyCodec from 'kafkajs-snappy';
import { compressFrame, decompressFrame } from 'lz4-napi';
import type { Config } from '../config.ts';

/**
 * The record codecs of every kafkajs client of the project, registered once per process when this
 * module is first imported (kafkajs keeps them in one process-wide table; client.ts imports this, so
 * no client is ever built without them). kafkajs itself only knows gzip: a batch in any other codec
 * would fail to decode and stall the partition. Records may arrive in any codec Kafka has (another
 * producer, a Java or librdkafka one, writes the topic too), so all four are read:
 * - lz4: lz4-napi (lz4_flex, prebuilt for each platform, no build step). Kafka takes LZ4 frames with
 *   independent blocks only (KIP-57); lz4_flex writes exactly those by default.
 * - snappy: kafkajs-snappy (pure JS), which also reads the xerial framing Java producers write.
 * - zstd: fzstd (pure JS), reading only: no compressor for kafkajs installs cleanly here without a
 *   native build, so KAFKA_COMPRESSION does not offer zstd.
 */
// Node's named-export detection of kafkajs' CommonJS index stops before these (as in topics.ts).
const { CompressionCodecs, CompressionTypes } = kafkajs;
type CompressionTypes = kafkajs.CompressionTypes;

export type RecordCompression = Config['KAFKA_COMPRESSION'];

const COMPRESSION_TYPES: Readonly<Record<RecordCompression, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  lz4: CompressionTypes.LZ4,
};

/** What a kafkajs send takes as `compression` for a KAFKA_COMPRESSION value. */
export function compressionType(compression: RecordCompression): CompressionTypes {
  return COMPRESSION_TYPES[compression];
}

export class CodecError extends Error {
  readonly code = 'KAFKA_CODEC_UNSUPPORTED';
}

/** kafkajs hands a compressor its encoder (the uncompressed records) and a decompressor the bytes. */
interface Encoded {
  buffer: Buffer;
}

const lz4 = () => ({
  compress: (encoder: Encoded) => compressFrame(encoder.buffer),
  decompress: (buffer: Buffer) => decompressFrame(buffer),
});

const zstd = () => ({
  compress: async (): Promise<Buffer> => {
    throw new CodecError('zstd records are read but not written: set KAFKA_COMPRESSION to none, gzip or lz4');
  },
  // kafkajs reads the records with Buffer methods; this wraps the bytes without copying them.
  decompress: async (buffer: Buffer) => {
    const records = zstdDecompress(buffer);
    return Buffer.from(records.buffer, records.byteOffset, records.byteLength);
  },
});

CompressionCodecs[CompressionTypes.LZ4] = lz4;
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
CompressionCodecs[CompressionTypes.ZSTD] = zstd;
