import { createConnection } from 'node:net';
import type { Kafka } from 'kafkajs';
import { fetchRequest, fetchResponse, RecordBatchError, type BatchHeader } from './record-batches.ts';

/**
 * Every record batch on a topic as the broker stores and serves it (header only: size, records, codec),
 * fetched from each partition's leader with plain Fetch requests (kit/record-batches.ts). Plaintext
 * listeners only: the test and bench brokers have them.
 */
export interface StoredBatch extends BatchHeader {
  partition: number;
}

const MAX_BYTES = 8 * 1024 * 1024;

interface BrokerSocket {
  send(request: Buffer): Promise<Buffer>;
  close(): void;
}

/** One request at a time: each answer is read whole (its size prefix says how long) before the next is sent. */
function connect(host: string, port: number): Promise<BrokerSocket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    // Chunks are joined once an answer is complete: a bench reads megabytes of batches per request.
    let chunks: Buffer[] = [];
    let received = 0;
    let expected: number | undefined;
    let waiting: { resolve(response: Buffer): void; reject(error: Error): void } | undefined;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (expected === undefined && received >= 4) expected = 4 + Buffer.concat(chunks).readInt32BE(0);
      if (!waiting || expected === undefined || received < expected) return;
      const response = Buffer.concat(chunks).subarray(4, expected);
      chunks = [];
      received = 0;
      expected = undefined;
      const current = waiting;
      waiting = undefined;
      current.resolve(response);
    });
    socket.once('error', (error) => (waiting ? waiting.reject(error) : reject(error)));
    socket.once('connect', () =>
      resolve({
        send: (request) =>
          new Promise((done, fail) => {
            waiting = { resolve: done, reject: fail };
            socket.write(request);
          }),
        close: () => socket.destroy(),
      }),
    );
  });
}

export async function storedBatches(kafka: Kafka, topic: string): Promise<StoredBatch[]> {
  const admin = kafka.admin();
  await admin.connect();
  let leaders: Map<number, { host: string; port: number }>;
  let ranges: Array<{ partition: number; low: bigint; high: bigint }>;
  try {
    const [cluster, metadata, offsets] = await Promise.all([
      admin.describeCluster(),
      admin.fetchTopicMetadata({ topics: [topic] }),
      admin.fetchTopicOffsets(topic),
    ]);
    const brokers = new Map(cluster.brokers.map((broker) => [broker.nodeId, broker]));
    leaders = new Map(metadata.topics[0]!.partitions.map(({ partitionId, leader }) => [partitionId, brokers.get(leader)!]));
    ranges = offsets
      .map(({ partition, low, high }) => ({ partition, low: BigInt(low), high: BigInt(high) }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }

  const sockets = new Map<string, BrokerSocket>();
  const batches: StoredBatch[] = [];
  let correlationId = 0;
  try {
    for (const { partition, low, high } of ranges) {
      const leader = leaders.get(partition)!;
      const address = `${leader.host}:${leader.port}`;
      if (!sockets.has(address)) sockets.set(address, await connect(leader.host, leader.port));
      const socket = sockets.get(address)!;
      for (let offset = low; offset < high;) {
        correlationId += 1;
        const request = fetchRequest({ correlationId, clientId: 'callstream-batch-reader', topic, partition, offset, maxBytes: MAX_BYTES });
        const response = fetchResponse(await socket.send(request));
        const fetched = response.partitions[0];
        if (response.correlationId !== correlationId || !fetched) throw new RecordBatchError(`no answer for ${topic}-${partition}`);
        if (fetched.errorCode !== 0)
          throw new RecordBatchError(`fetching ${topic}-${partition} at ${offset}: error code ${fetched.errorCode}`);
        if (fetched.batches.length === 0) throw new RecordBatchError(`no record batch at ${topic}-${partition} offset ${offset}`);
        for (const batch of fetched.batches) batches.push({ partition, ...batch });
        offset = fetched.batches.at(-1)!.nextOffset;
      }
    }
  } finally {
    for (const socket of sockets.values()) socket.close();
  }
  return batches;
}
