import type { Kafka } from 'kafkajs';

/**
 * What a consumer group has done, as the broker records it: its committed offsets against the topic's
 * end offsets. The consumer commits a batch only after its Postgres transaction committed, so committed
 * means written.
 */
export async function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, BigInt(offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, BigInt(high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The offsets of partitions 0 … partitions-1, in that order; throws unless the map holds exactly those
 * partitions. A check over the result therefore cannot pass on an empty map, as `every()` over the map's
 * values would. The broker reports -1 for a partition the group never committed.
 */
export function offsetsOfEveryPartition(offsets: ReadonlyMap<number, bigint>, partitions: number): bigint[] {
  const expected = Array.from({ length: partitions }, (_, partition) => partition);
  const present = [...offsets.keys()].sort((a, b) => a - b);
  if (JSON.stringify(present) !== JSON.stringify(expected)) {
    throw new Error(`offsets of partitions ${JSON.stringify(present)}, expected exactly ${JSON.stringify(expected)}`);
  }
  return expected.map((partition) => offsets.get(partition)!);
}

/** Whether the group committed every non-empty partition up to its end (nothing committed is -1, behind any end). */
export function caughtUp(ends: ReadonlyMap<number, bigint>, committed: ReadonlyMap<number, bigint>): boolean {
  if (ends.size === 0) throw new Error('the topic has no partitions');
  return [...ends].every(([partition, end]) => end === 0n || (committed.get(partition) ?? -1n) >= end);
}

/**
 * Records the group has still to commit: each partition's end minus its committed offset (none committed
 * counts from 0; a commit past the end, read after it, counts as none left).
 */
export function lagOf(ends: ReadonlyMap<number, bigint>, committed: ReadonlyMap<number, bigint>): number {
  let lag = 0n;
  for (const [partition, end] of ends) {
    const offset = committed.get(partition) ?? -1n;
    const behind = end - (offset > 0n ? offset : 0n);
    lag += behind > 0n ? behind : 0n;
  }
  return Number(lag);
}

/** The group's lag on the topic now (lagOf); the commits are read first, so that the ends are not older than they. */
export async function groupLag(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const committed = await committedOffsets(kafka, groupId, topic);
  return lagOf(await endOffsets(kafka, topic), committed);
}

/**
 * Waits until the group committed every partition up to its end as it is now: everything processed. A
 * backlog may take long to drain; what must not happen is a group that stops making progress, so this
 * fails once timeoutMs passed without any new commit.
 */
export async function waitUntilConsumed(kafka: Kafka, groupId: string, topic: string, timeoutMs = 60_000): Promise<void> {
  const ends = await endOffsets(kafka, topic);
  let progress = -1n;
  let deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    // A group that just formed may briefly have no coordinator, a broker just restarted may not answer
    // yet: ask again, and say what went wrong if it never stops.
    const committed = await committedOffsets(kafka, groupId, topic).catch((error: unknown) => {
      lastError = error;
      return undefined;
    });
    if (committed && caughtUp(ends, committed)) return;
    const total = [...(committed ?? new Map<number, bigint>()).values()].reduce((sum, offset) => sum + (offset > 0n ? offset : 0n), 0n);
    if (total > progress) [progress, deadline] = [total, Date.now() + timeoutMs];
    if (Date.now() > deadline) {
      throw new Error(
        `group ${groupId} committed nothing new on ${topic} for ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
