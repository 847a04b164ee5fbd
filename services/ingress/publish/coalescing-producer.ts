import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import type { Config } from '../../../shared/config.ts';
import { compressionType } from '../../../shared/kafka/codecs.ts';
import { isRetriableSendError, isTooLarge } from '../../../shared/kafka/producer.ts';
import { nextBatchLength, recordBytes } from './publish-batch.ts';

/**
 * Coalesces concurrent sends into one produce request with acks=all: a batch leaves PRODUCE_LINGER_MS
 * after its first record, or as soon as it is full (PRODUCE_MAX_BATCH records or PRODUCE_MAX_BATCH_BYTES).
 * Each send resolves when its own batch is acknowledged, and fails after PRODUCE_TIMEOUT_MS. At most
 * PRODUCE_QUEUE_LIMIT records wait or fly at once; beyond that a send fails at once. Each partition's
 * records in a request travel as one record batch in the KAFKA_COMPRESSION codec, so the more a batch
 * holds, the better it compresses.
 *
 * The producer is neither idempotent nor retrying (shared/kafka/producer.ts says why: kafkajs' retries can
 * report records as written that never were, tulios/kafkajs#1303). Failed batches are sent again here,
 * whole, to the leaders kafkajs' refreshed metadata names, until the last of their records is out of time.
 */
export type PublishSettings = Pick<
  Config,
  | 'PRODUCE_LINGER_MS'
  | 'PRODUCE_MAX_BATCH'
  | 'PRODUCE_MAX_BATCH_BYTES'
  | 'PRODUCE_MAX_IN_FLIGHT'
  | 'PRODUCE_QUEUE_LIMIT'
  | 'PRODUCE_TIMEOUT_MS'
  | 'KAFKA_COMPRESSION'
>;

/** QUEUE_SHARE_EXCEEDED is the publisher's (its tenant's share of the queue); the rest are this producer's. */
export type PublishErrorCode = 'PUBLISH_QUEUE_FULL' | 'QUEUE_SHARE_EXCEEDED' | 'PUBLISH_TIMEOUT' | 'PUBLISH_FAILED' | 'RECORD_TOO_LARGE';

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

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface PublishObserver {
  batchSettled(records: number, ok: boolean): void;
  /** One record acknowledged, seconds after it was handed to send() (its wait in the queue included). */
  recordAcknowledged?(seconds: number): void;
}

export interface CoalescingProducer {
  /** trace: the span the record comes from, which the produce request's span links to. */
  send(record: OutgoingRecord, trace?: SpanContext): Promise<void>;
  /** Records waiting for a batch or in flight. */
  depth(): number;
  /** Seconds since the oldest record waiting or in flight was handed to send(); 0 when there is none. */
  oldestAgeSeconds(): number;
  /** False after Kafka failed or timed out a send, until a reconnect succeeds; false for good after disconnect(). */
  isConnected(): boolean;
}

interface Pending {
  record: OutgoingRecord;
  bytes: number;
  trace: SpanContext | undefined;
  /** performance.now() when it was handed to send(). */
  sentAt: number;
  /** Epoch ms at which the sender is answered 503 if Kafka has not acknowledged. */
  expiresAt: number;
  deadline: NodeJS.Timeout;
  resolve(): void;
  reject(error: PublishError): void;
}

export function createCoalescingProducer(
  producer: Producer,
  settings: PublishSettings,
  observer?: PublishObserver,
  tracer?: Tracer,
): CoalescingProducer {
  const compression = compressionType(settings.KAFKA_COMPRESSION);
  const waiting: Pending[] = [];
  /** The sentAt of the first record of each batch in flight (its oldest: records are batched in order). */
  const inFlightSince = new Set<{ sentAt: number }>();
  let inFlightRecords = 0;
  let inFlightBatches = 0;
  let lingerTimer: NodeJS.Timeout | undefined;
  // Up once connected: a producer whose first connect was refused (wrong credentials) is not ready.
  let brokerUp = false;
  let disconnected = false;
  let reconnecting: Promise<void> | undefined;
  producer.on(producer.events.CONNECT, () => {
    disconnected = false;
    brokerUp = true;
  });
  producer.on(producer.events.DISCONNECT, () => {
    disconnected = true;
  });

  function expire(pending: Pending): void {
    // Still waiting (behind a stuck batch): drop it, the sender is told 503 and will retry. Already in
    // flight: it may still be written; the sink deduplicates the retry.
    const index = waiting.indexOf(pending);
    if (index >= 0) waiting.splice(index, 1);
    brokerUp = false;
    pending.reject(new PublishError('PUBLISH_TIMEOUT', `Kafka did not acknowledge within ${settings.PRODUCE_TIMEOUT_MS} ms`));
  }

  function flush(): void {
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    while (waiting.length > 0 && inFlightBatches < settings.PRODUCE_MAX_IN_FLIGHT) {
      void sendBatch(waiting.splice(0, nextBatchLength(waiting, settings.PRODUCE_MAX_BATCH, settings.PRODUCE_MAX_BATCH_BYTES)));
    }
  }

  async function sendBatch(batch: Pending[]): Promise<void> {
    inFlightBatches++;
    inFlightRecords += batch.length;
    const oldest = batch[0]!;
    inFlightSince.add(oldest);
    const topicMessages = new Map<string, Array<Omit<OutgoingRecord, 'topic'>>>();
    for (const { record } of batch) {
      const { topic, ...message } = record;
      topicMessages.set(topic, [...(topicMessages.get(topic) ?? []), message]);
    }
    const lastExpiry = Math.max(...batch.map((pending) => pending.expiresAt));
    const span = produceSpan(tracer, [...topicMessages.keys()], batch);
    let outcome: PublishError | undefined;
    let attempt = 0;
    for (; ; attempt++) {
      try {
        await producer.sendBatch({
          acks: -1,
          // What the broker may take to gather the in-sync replicas' acknowledgements: the time left.
          timeout: Math.max(MIN_ATTEMPT_MS, lastExpiry - Date.now()),
          compression,
          topicMessages: [...topicMessages].map(([topic, messages]) => ({ topic, messages })),
        });
        brokerUp = true;
        outcome = undefined;
        break;
      } catch (cause) {
        const tooLarge = isTooLarge(cause) && batch.length === 1;
        outcome = tooLarge
          ? new PublishError('RECORD_TOO_LARGE', 'Kafka refused the record as too large', { cause })
          : new PublishError('PUBLISH_FAILED', `Kafka did not take the batch: ${(cause as Error).message}`, { cause });
        const pause = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** attempt);
        if (tooLarge || !isRetriableSendError(cause) || Date.now() + pause + MIN_ATTEMPT_MS > lastExpiry) {
          if (!tooLarge) brokerUp = false;
          break;
        }
        await new Promise((done) => setTimeout(done, pause));
      }
    }
    const settledAt = performance.now();
    for (const pending of batch) {
      clearTimeout(pending.deadline);
      if (outcome) pending.reject(outcome);
      else {
        pending.resolve();
        observer?.recordAcknowledged?.((settledAt - pending.sentAt) / 1000);
      }
    }
    observer?.batchSettled(batch.length, !outcome);
    if (span?.isRecording()) {
      span.setAttribute('callstream.attempts', attempt + 1);
      if (outcome) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
    }
    span?.end();
    inFlightBatches--;
    inFlightRecords -= batch.length;
    inFlightSince.delete(oldest);
    // Records that arrived while every slot was busy have waited at least one round trip already.
    if (waiting.length > 0) flush();
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
    send(record, trace) {
      const bytes = recordBytes(record);
      if (bytes > settings.PRODUCE_MAX_BATCH_BYTES) {
        const message = `the record is ${bytes} bytes; the topic takes at most ${settings.PRODUCE_MAX_BATCH_BYTES}`;
        return Promise.reject(new PublishError('RECORD_TOO_LARGE', message));
      }
      if (waiting.length + inFlightRecords >= settings.PRODUCE_QUEUE_LIMIT) {
        const message = `${settings.PRODUCE_QUEUE_LIMIT} records are already waiting for Kafka`;
        return Promise.reject(new PublishError('PUBLISH_QUEUE_FULL', message));
      }
      return new Promise((resolve, reject) => {
        const pending: Pending = {
          record,
          bytes,
          trace,
          sentAt: performance.now(),
          resolve,
          reject,
          expiresAt: Date.now() + settings.PRODUCE_TIMEOUT_MS,
          deadline: setTimeout(() => expire(pending), settings.PRODUCE_TIMEOUT_MS),
        };
        waiting.push(pending);
        if (waiting.length >= settings.PRODUCE_MAX_BATCH) flush();
        else lingerTimer ??= setTimeout(flush, settings.PRODUCE_LINGER_MS);
      });
    },
    depth: () => waiting.length + inFlightRecords,
    oldestAgeSeconds() {
      let since = waiting[0]?.sentAt ?? Infinity;
      for (const first of inFlightSince) since = Math.min(since, first.sentAt);
      return since === Infinity ? 0 : (performance.now() - since) / 1000;
    },
    isConnected() {
      if (disconnected) return false;
      // Answer from what is known now; a reconnect runs in the background and the next check sees it.
      if (!brokerUp) reconnecting ??= reconnect().finally(() => (reconnecting = undefined));
      return brokerUp;
    },
  };
}

/**
 * The produce request as a PRODUCER span of its own trace, linked to the request span of every record in
 * it (a batch holds many senders' records, so it can be no one's child); links only when it is recorded.
 */
function produceSpan(tracer: Tracer | undefined, topics: string[], batch: Pending[]) {
  if (!tracer) return undefined;
  const span = tracer.startSpan(
    `send ${topics.join(' ')}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topics.join(','),
        'messaging.batch.message_count': batch.length,
      },
    },
    ROOT_CONTEXT,
  );
  if (span.isRecording()) {
    span.addLinks(batch.flatMap(({ trace }) => (trace ? [{ context: trace }] : [])));
  }
  return span;
}

/** Pauses between attempts of a failed batch (leader elections take a moment), and the shortest attempt worth making. */
const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 1_000;
const MIN_ATTEMPT_MS = 100;
