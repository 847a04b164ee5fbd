import type { Message, Producer } from 'kafkajs';
import { recordHeaders, recordKey, type Envelope } from '../callback/envelope.ts';
import { rejectedHeaders, rejectedKey, type RejectedCallback } from '../callback/rejected.ts';
import type { Config } from '../config.ts';
import { nextBatchLength, recordBytes } from './publish-batch.ts';

/**
 * Publishes envelopes (and quarantined callbacks) with acks=all, coalescing concurrent calls into one
 * produce request: a batch leaves when PRODUCE_LINGER_MS has passed since its first record, or when it
 * is full (PRODUCE_MAX_BATCH records or PRODUCE_MAX_BATCH_BYTES). Each call resolves when its own batch
 * is acknowledged. At most PRODUCE_QUEUE_LIMIT records wait or fly at once; beyond that publish refuses
 * at once. The producer must not be idempotent: kafkajs drops messages when idempotent sends overlap,
 * and duplicates are harmless because the sink deduplicates.
 */
export type PublishSettings = Pick<
  Config,
  | 'PRODUCE_LINGER_MS'
  | 'PRODUCE_MAX_BATCH'
  | 'PRODUCE_MAX_BATCH_BYTES'
  | 'PRODUCE_MAX_IN_FLIGHT'
  | 'PRODUCE_QUEUE_LIMIT'
  | 'PRODUCE_TIMEOUT_MS'
>;

export type PublishErrorCode = 'PUBLISH_QUEUE_FULL' | 'PUBLISH_TIMEOUT' | 'PUBLISH_FAILED' | 'RECORD_TOO_LARGE';

export class PublishError extends Error {
  constructor(
    readonly code: PublishErrorCode,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'PublishError';
  }
}

export interface CallRecordPublisher {
  publish(envelope: Envelope): Promise<void>;
  /** The quarantine topic: resolves once the rejected payload is acknowledged like any record. */
  quarantine(rejected: RejectedCallback): Promise<void>;
  /** Records waiting for a batch or in flight. */
  queueDepth(): number;
  /** False after the broker failed a send, until a reconnect succeeds; false for good after disconnect(). */
  isConnected(): Promise<boolean>;
}

export interface PublishObserver {
  batchSettled(records: number, ok: boolean): void;
}

interface Pending {
  topic: string;
  message: Message & { key: string; value: string; headers: Record<string, string> };
  bytes: number;
  resolve(): void;
  reject(error: PublishError): void;
}

export function createCallRecordPublisher(
  producer: Producer,
  topics: { callRecords: string; rejected: string },
  settings: PublishSettings,
  observer?: PublishObserver,
): CallRecordPublisher {
  const waiting: Pending[] = [];
  let inFlightRecords = 0;
  let inFlightBatches = 0;
  let lingerTimer: NodeJS.Timeout | undefined;
  let brokerUp = true;
  let disconnected = false;
  let probe: Promise<void> | undefined;
  producer.on(producer.events.CONNECT, () => {
    disconnected = false;
    brokerUp = true;
  });
  producer.on(producer.events.DISCONNECT, () => {
    disconnected = true;
  });

  function enqueue(topic: string, message: Pending['message']): Promise<void> {
    const bytes = recordBytes(message);
    if (bytes > settings.PRODUCE_MAX_BATCH_BYTES) {
      const limit = settings.PRODUCE_MAX_BATCH_BYTES;
      return Promise.reject(new PublishError('RECORD_TOO_LARGE', `the record is ${bytes} bytes; the topic takes at most ${limit}`));
    }
    if (waiting.length + inFlightRecords >= settings.PRODUCE_QUEUE_LIMIT) {
      return Promise.reject(new PublishError('PUBLISH_QUEUE_FULL', `${settings.PRODUCE_QUEUE_LIMIT} records are already waiting for Kafka`));
    }
    return new Promise((resolve, reject) => {
      waiting.push({ topic, message, bytes, resolve, reject });
      if (waiting.length >= settings.PRODUCE_MAX_BATCH) flush();
      else lingerTimer ??= setTimeout(flush, settings.PRODUCE_LINGER_MS);
    });
  }

  function flush(): void {
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    while (waiting.length > 0 && inFlightBatches < settings.PRODUCE_MAX_IN_FLIGHT) {
      const length = nextBatchLength(waiting, settings.PRODUCE_MAX_BATCH, settings.PRODUCE_MAX_BATCH_BYTES);
      void send(waiting.splice(0, length));
    }
  }

  async function send(batch: Pending[]): Promise<void> {
    inFlightBatches++;
    inFlightRecords += batch.length;
    // kafkajs retries on its own schedule; the caller's answer must not wait longer than the deadline.
    // A record that times out here may still be written later: the sender retries, the sink deduplicates.
    const deadline = setTimeout(() => {
      brokerUp = false;
      const error = new PublishError('PUBLISH_TIMEOUT', `Kafka did not acknowledge within ${settings.PRODUCE_TIMEOUT_MS} ms`);
      for (const pending of batch) pending.reject(error);
    }, settings.PRODUCE_TIMEOUT_MS);
    try {
      await producer.sendBatch({ acks: -1, timeout: settings.PRODUCE_TIMEOUT_MS, topicMessages: byTopic(batch) });
      brokerUp = true;
      for (const pending of batch) pending.resolve();
      observer?.batchSettled(batch.length, true);
    } catch (cause) {
      const tooLarge = isTooLarge(cause) && batch.length === 1;
      if (!tooLarge) brokerUp = false;
      const error = tooLarge
        ? new PublishError('RECORD_TOO_LARGE', 'Kafka refused the record as too large', { cause })
        : new PublishError('PUBLISH_FAILED', `Kafka did not take the batch: ${(cause as Error).message}`, { cause });
      for (const pending of batch) pending.reject(error);
      observer?.batchSettled(batch.length, false);
    } finally {
      clearTimeout(deadline);
      inFlightBatches--;
      inFlightRecords -= batch.length;
      // Records that arrived while every slot was busy have waited at least one round trip already.
      if (waiting.length > 0) flush();
    }
  }

  /** kafkajs connects again only if it has no live broker connection, so this is cheap when all is well. */
  async function reconnect(): Promise<void> {
    try {
      await producer.connect();
      if (!disconnected) brokerUp = true;
    } catch {
      // Still down: the next health check tries again.
    }
  }

  return {
    publish: (envelope) =>
      enqueue(topics.callRecords, {
        key: recordKey(envelope.tenantId, envelope.callback.callId),
        value: JSON.stringify(envelope),
        headers: recordHeaders(envelope),
      }),
    quarantine: (rejected) =>
      enqueue(topics.rejected, { key: rejectedKey(rejected), value: JSON.stringify(rejected), headers: rejectedHeaders(rejected) }),
    queueDepth: () => waiting.length + inFlightRecords,
    async isConnected() {
      if (disconnected) return false;
      // Answer from what is known now; a reconnect attempt runs in the background and, once it
      // succeeds, the next check says so. Waiting for it here would hold every request meanwhile.
      if (!brokerUp) probe ??= reconnect().finally(() => (probe = undefined));
      return brokerUp;
    },
  };
}

function byTopic(batch: Pending[]): Array<{ topic: string; messages: Message[] }> {
  const topics = new Map<string, Message[]>();
  for (const { topic, message } of batch) {
    const messages = topics.get(topic) ?? [];
    messages.push(message);
    topics.set(topic, messages);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

function isTooLarge(error: unknown): boolean {
  for (let at = error as { type?: string; cause?: unknown } | undefined; at; at = at.cause as typeof at) {
    if (at.type === 'MESSAGE_TOO_LARGE' || at.type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}
