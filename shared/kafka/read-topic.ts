import { randomUUID } from 'node:crypto';
import type { Admin, IHeaders, Kafka } from 'kafkajs';

/**
 * Reads what a topic holds now: every partition from its first offset up to the end offset it had when
 * the read began (records written meanwhile are left for the next read), each partition in offset order.
 * kafkajs 2.2.4 cannot assign partitions to a consumer without a group, so the read runs as the only
 * member of a consumer group of its own: named `<groupPrefix>-<uuid>`, committing nothing, and deleted
 * afterwards, so that nothing of it stays behind on the cluster (an ACL on the prefix is what it needs).
 */
export interface TopicRecord {
  partition: number;
  offset: string;
  /** The record's timestamp, epoch milliseconds as kafkajs gives it. */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export class TopicNotFoundError extends Error {
  readonly code = 'TOPIC_NOT_FOUND';
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist`);
    this.name = 'TopicNotFoundError';
  }
}

export interface TopicReadOptions {
  /** The read's consumer group is `<groupPrefix>-<uuid>`. */
  groupPrefix: string;
}

/** Calls onRecord for each record, one at a time; resolves with how many there were. */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  options: TopicReadOptions,
  onRecord: (record: TopicRecord) => void | Promise<void>,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // listTopics, not metadata: a metadata request for a missing topic may create it on a permissive broker.
    if (!(await admin.listTopics()).includes(topic)) throw new TopicNotFoundError(topic);
    const ends = new Map<number, bigint>();
    for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) ends.set(partition, BigInt(high));
    }
    if (ends.size === 0) return 0;
    const groupId = `${options.groupPrefix}-${randomUUID()}`;
    let read: number;
    try {
      read = await readUpTo(kafka, topic, groupId, ends, onRecord);
    } catch (error) {
      // The read's own failure is the one to report; the group is removed as far as the cluster lets us.
      await deleteGroup(admin, groupId).catch(() => undefined);
      throw error;
    }
    await deleteGroup(admin, groupId);
    return read;
  } finally {
    await admin.disconnect();
  }
}

async function readUpTo(
  kafka: Kafka,
  topic: string,
  groupId: string,
  ends: ReadonlyMap<number, bigint>,
  onRecord: (record: TopicRecord) => void | Promise<void>,
): Promise<number> {
  // A crash ends the read with its error instead of kafkajs restarting the consumer behind our back.
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    retry: { restartOnFailure: async () => false },
  });
  // Where each unfinished partition is to continue: a redelivery after a rebalance is not read twice.
  const next = new Map([...ends.keys()].map((partition) => [partition, 0n]));
  let read = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: unknown) => {
        failed = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const advance = (partition: number, to: bigint) => {
        const end = ends.get(partition);
        if (end === undefined || !next.has(partition)) return;
        if (to > next.get(partition)!) next.set(partition, to);
        if (next.get(partition)! >= end) next.delete(partition);
        if (next.size === 0) resolve();
      };
      consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
      // Also emitted for a batch of nothing but control records or aborted transactions, which eachBatch
      // never sees: the partition moves past them all the same.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => advance(payload.partition, BigInt(payload.lastOffset) + 1n));
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (failed) return;
            const end = ends.get(batch.partition);
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              const from = next.get(batch.partition);
              if (end === undefined || from === undefined || offset < from || offset >= end) continue;
              try {
                await onRecord({
                  partition: batch.partition,
                  offset: message.offset,
                  timestamp: message.timestamp,
                  key: message.key,
                  value: message.value,
                  headers: message.headers ?? {},
                });
              } catch (error) {
                // Not thrown into kafkajs, which would retry the batch and hand the same records over again.
                fail(error);
                return;
              }
              read++;
              advance(batch.partition, offset + 1n);
            }
          },
        })
        .catch(fail);
    });
    return read;
  } finally {
    await consumer.disconnect();
  }
}

/** A group the coordinator already forgot (an empty group without offsets) is as good as deleted. */
async function deleteGroup(admin: Admin, groupId: string): Promise<void> {
  try {
    await admin.deleteGroups([groupId]);
  } catch (error) {
    const groups = (error as { groups?: { errorCode?: number; error?: { type?: string } }[] }).groups ?? [];
    if (groups.length === 0 || !groups.every((group) => group.error?.type === 'GROUP_ID_NOT_FOUND')) throw error;
  }
}
