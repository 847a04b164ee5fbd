import type { Context, Tracer } from '@opentelemetry/api';
import { type Batch, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import type { KafkaLogger } from '../../shared/kafka/client.ts';
import { createRecordProducer } from '../../shared/kafka/producer.ts';
import { backoffDelay, waitWithTicks, type BackoffPolicy } from './backoff.ts';
import type { ConsumerMetrics } from './consumer-metrics.ts';
import { deadLetterLogFields, deadLetterMessage } from './dead-letters.ts';
import { errorSummary, postgresFailureReason } from '../../shared/db/errors.ts';
import type { BatchOutcome, DeadLetter, IncomingRecord } from './records.ts';
import { batchSpans, UNTRACED_BATCH } from './batch-spans.ts';

/**
 * The kafkajs consumer around the batch handler. A batch's offsets are committed only after the handler
 * (the Postgres transaction) succeeded and its dead letters were acknowledged by the DLQ topic, so neither
 * a good nor a bad message is ever skipped.
 *
 * A failed attempt is retried in place, the same batch again, with a growing delay: the partition stays
 * where it is (paused, in effect) while the member keeps heartbeating, so it keeps its partitions through
 * an outage. It gives the batch up uncommitted only when the consumer is stopping or the partition was
 * taken away; whoever consumes the partition next starts again at the last committed offset, and the
 * idempotent writes make the second pass harmless.
 */
export interface CallRecordConsumerOptions {
  groupId: string;
  topic: string;
  dlqTopic: string;
  fromBeginning?: boolean;
  /** trace: the batch span's context, the parent of what handle() traces (its transactions). */
  handle(records: IncomingRecord[], trace: Context): Promise<BatchOutcome>;
  onBatch?(outcome: BatchOutcome, partition: number, records: IncomingRecord[]): void;
  retry?: BackoffPolicy;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long a fetch waits for new records (default 1 s); stop() waits for the fetch in flight. */
  maxWaitTimeMs?: number;
  /** Partitions processed at once (default 1); each batch is its own transaction. */
  partitionsConcurrently?: number;
  metrics?: ConsumerMetrics;
  /** Spans for each batch and each record (tracing: when recording is false, none are made at all). */
  tracing?: { tracer: Tracer; recording: boolean };
  logger?: KafkaLogger;
  /** kafkajs gave up for good (it restarts by itself after retriable errors); the process should exit. */
  onCrash?(error: Error): void;
}

export interface CallRecordConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while this member holds a place in the group. */
  isMember(): boolean;
}

const DEFAULT_RETRY: BackoffPolicy = { initialMs: 200, maxMs: 10_000 };

async function publishDeadLetters(producer: Producer, topic: string, sourceTopic: string, letters: DeadLetter[], logger?: KafkaLogger) {
  if (letters.length === 0) return;
  await producer.send({ topic, acks: -1, messages: letters.map((letter) => deadLetterMessage(letter, sourceTopic)) });
  // After the send: the line says the call is in the DLQ, so an operator can look for it there.
  for (const letter of letters) logger?.warn(deadLetterLogFields(letter, topic), 'call dead-lettered');
}

function toRecords(batch: Batch): IncomingRecord[] {
  return batch.messages.map((message) => ({
    partition: batch.partition,
    offset: message.offset,
    value: message.value,
    key: message.key,
    headers: message.headers ?? {},
  }));
}

/** Runs work() while heartbeating every intervalMs, so a long transaction does not cost the membership. */
async function withHeartbeats<T>(work: () => Promise<T>, heartbeat: () => Promise<void>, intervalMs: number): Promise<T> {
  // A failed heartbeat (a rebalance started) surfaces at the heartbeat after the commit.
  const timer = setInterval(() => heartbeat().catch(() => undefined), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createCallRecordConsumer(kafka: Kafka, options: CallRecordConsumerOptions): CallRecordConsumer {
  const heartbeatInterval = options.heartbeatIntervalMs ?? 3_000;
  const retry = options.retry ?? DEFAULT_RETRY;
  const consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval,
    // Shorter than kafkajs' 5 s so that a graceful shutdown is not held up by an idle fetch.
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
  });
  // No kafkajs retries: after a leader change they can report records as written that never were
  // (tulios/kafkajs#1303, see the ingress's coalescing producer). A failed dead-letter send fails the
  // attempt instead, and the batch is retried whole below, its offsets still uncommitted.
  const producer = createRecordProducer(kafka);
  let member = false;

  consumer.on(consumer.events.GROUP_JOIN, () => {
    member = true;
    options.metrics?.assignmentChanged();
  });
  consumer.on(consumer.events.STOP, () => (member = false));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    member = false;
    options.logger?.error({ error: errorSummary(payload.error), restart: payload.restart }, 'consumer crashed');
    if (!payload.restart) options.onCrash?.(payload.error);
  });

  /** The batch's outcome once written and dead-lettered, or undefined when given up uncommitted. */
  async function untilDone(records: IncomingRecord[], sourceTopic: string, payload: EachBatchPayload, trace: Context) {
    const givingUp = () => !payload.isRunning() || payload.isStale();
    for (let attempt = 1; ; attempt += 1) {
      if (givingUp()) return undefined;
      try {
        return await withHeartbeats(
          async () => {
            const outcome = await options.handle(records, trace);
            await publishDeadLetters(producer, options.dlqTopic, sourceTopic, outcome.deadLetters, options.logger);
            return outcome;
          },
          payload.heartbeat,
          heartbeatInterval,
        );
      } catch (error) {
        const delayMs = backoffDelay(attempt, retry);
        const reason = postgresFailureReason(error);
        options.metrics?.retry(reason);
        options.logger?.warn(
          { error: errorSummary(error), reason, attempt, delayMs, partition: payload.batch.partition, firstOffset: records[0]?.offset },
          'batch failed, retrying it',
        );
        // A heartbeat failing here (a rebalance) is thrown to kafkajs, which rejoins the group. Ticks are
        // short so that a stop is noticed soon; kafkajs sends a heartbeat only once per interval.
        const tickMs = Math.min(heartbeatInterval, 250);
        const waited = await waitWithTicks(delayMs, { tickMs, tick: payload.heartbeat, shouldStop: givingUp });
        if (waited === 'interrupted') return undefined;
      }
    }
  }

  return {
    async start() {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (batch.messages.length === 0) return;
          const started = performance.now();
          const records = toRecords(batch);
          const spans = options.tracing?.recording ? batchSpans(options.tracing.tracer, batch, records) : UNTRACED_BATCH;
          options.metrics?.lag(batch.topic, batch.partition, Number(BigInt(batch.highWatermark) - BigInt(batch.firstOffset() ?? '0')));
          options.metrics?.processing(batch.topic, batch.partition, Number(batch.messages[0]!.timestamp));
          const outcome = await untilDone(records, batch.topic, payload, spans.context);
          if (!outcome) {
            spans.end(undefined);
            options.metrics?.batchAbandoned();
            return;
          }
          options.metrics?.stored(outcome.receivedAt);
          const last = batch.lastOffset();
          payload.resolveOffset(last);
          // The payload's commit, not consumer.commitOffsets(): that one silently skips the commit once
          // stop() began, and a batch finished during a graceful shutdown must still be committed.
          await payload.commitOffsetsIfNecessary({
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }],
          });
          spans.end(outcome);
          options.metrics?.batchCommitted(outcome, records.length, (performance.now() - started) / 1000);
          options.metrics?.lag(batch.topic, batch.partition, Number(batch.offsetLag()));
          options.metrics?.processed(batch.topic, batch.partition, Number(batch.messages[batch.messages.length - 1]!.timestamp));
          options.onBatch?.(outcome, batch.partition, records);
          await payload.heartbeat();
        },
      });
    },
    async stop() {
      // Waits for the batch in flight: it finishes and commits, or (when retrying) is given up uncommitted.
      await consumer.disconnect();
      await producer.disconnect();
      member = false;
    },
    isMember: () => member,
  };
}
