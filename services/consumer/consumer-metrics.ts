import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BatchOutcome } from './batch-processor.ts';
import { DEAD_LETTER_CODES } from './steps/step-result.ts';

/** What the consumer reports to Prometheus; one instance per registry. */
export interface ConsumerMetrics {
  /** Messages behind the end of the partition, as last seen by this member. */
  lag(topic: string, partition: number, messages: number): void;
  /** A batch taken up: its first record (Kafka timestamp, epoch ms) is the partition's oldest unprocessed one. */
  processing(topic: string, partition: number, firstTimestampMs: number): void;
  /** A batch committed, its last record's Kafka timestamp (epoch ms). */
  processed(topic: string, partition: number, lastTimestampMs: number): void;
  /** The calls of a committed transaction, by their receivedAt (epoch ms): how fresh the tables are. */
  stored(receivedAtMs: readonly number[]): void;
  /** A new assignment: partitions this member no longer owns stop reporting lag. */
  assignmentChanged(): void;
  batchCommitted(outcome: BatchOutcome, messages: number, seconds: number): void;
  /** Given up uncommitted (stopping, or the partition moved to another member); it will be processed again. */
  batchAbandoned(): void;
  retry(reason: string): void;
}

interface PartitionProgress {
  topic: string;
  partition: string;
  /** Messages behind the end after the last batch. */
  lag: number;
  /** The Kafka timestamp of the first record of the batch in flight. */
  processingSince: number | undefined;
  /** The Kafka timestamp of the last record committed. */
  lastProcessed: number | undefined;
}

/**
 * Seconds since the oldest record of the partition not yet processed was written to Kafka (by the
 * ingress, a few milliseconds after it received the callback): the first record of the batch in flight;
 * between batches, with records still behind, at most the age of the last one processed (the next one is
 * no older); 0 when caught up.
 */
export function lagAgeSeconds(progress: PartitionProgress, nowMs: number): number {
  const since = progress.processingSince ?? (progress.lag > 0 ? progress.lastProcessed : undefined);
  return since === undefined ? 0 : Math.max(0, (nowMs - since) / 1000);
}

export function createConsumerMetrics(registry: Registry, now = () => Date.now()): ConsumerMetrics {
  const registers = [registry];
  const progress = new Map<string, PartitionProgress>();
  const progressOf = (topic: string, partition: number) => {
    const key = `${topic}\u0000${partition}`;
    let entry = progress.get(key);
    if (!entry) {
      entry = { topic, partition: String(partition), lag: 0, processingSince: undefined, lastProcessed: undefined };
      progress.set(key, entry);
    }
    return entry;
  };
  new Gauge({
    name: 'consumer_lag_age_seconds',
    help: 'Seconds since the oldest record of the partition that this member has not processed yet was written to Kafka; 0 when caught up',
    labelNames: ['topic', 'partition'] as const,
    registers,
    collect() {
      this.reset();
      const at = now();
      for (const entry of progress.values()) this.set({ topic: entry.topic, partition: entry.partition }, lagAgeSeconds(entry, at));
    },
  });
  const freshness = new Histogram({
    name: 'consumer_freshness_seconds',
    help: 'From a callback received by the ingress (receivedAt) to its transaction committed in Postgres',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers,
  });
  const counter = <Label extends string>(name: string, help: string, labelNames: readonly Label[] = []) =>
    new Counter({ name, help, labelNames, registers });
  const lag = new Gauge({
    name: 'consumer_lag_messages',
    help: 'Messages in the partition after the last one this member processed',
    labelNames: ['topic', 'partition'] as const,
    registers,
  });
  const batches = counter(
    'consumer_batches_total',
    'Kafka batches, by outcome: committed, or abandoned uncommitted to be processed again',
    ['outcome'],
  );
  const messages = counter('consumer_messages_total', 'Messages in committed batches');
  const rows = counter('consumer_rows_written_total', 'Rows written to Postgres, by table', ['table']);
  const duration = new Histogram({
    name: 'consumer_batch_duration_seconds',
    help: 'From a batch received to its offsets committed, retries included',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const deadLetters = counter('consumer_dead_letters_total', 'Messages sent to the dead-letter topic, by error code', ['code']);
  // Every code from the start: an alert on the DLQ's growth needs the series before the first dead letter.
  for (const code of DEAD_LETTER_CODES) deadLetters.inc({ code }, 0);
  const retries = counter('consumer_batch_retries_total', 'Batch attempts that failed transiently and were retried, by reason', ['reason']);

  return {
    lag(topic, partition, value) {
      lag.set({ topic, partition: String(partition) }, value);
      progressOf(topic, partition).lag = value;
    },
    processing(topic, partition, firstTimestampMs) {
      progressOf(topic, partition).processingSince = firstTimestampMs;
    },
    processed(topic, partition, lastTimestampMs) {
      const entry = progressOf(topic, partition);
      entry.processingSince = undefined;
      entry.lastProcessed = lastTimestampMs;
    },
    stored(receivedAtMs) {
      const at = now();
      for (const receivedAt of receivedAtMs) freshness.observe(Math.max(0, (at - receivedAt) / 1000));
    },
    assignmentChanged() {
      lag.reset();
      progress.clear();
    },
    batchCommitted(outcome, count, seconds) {
      batches.inc({ outcome: 'committed' });
      messages.inc(count);
      duration.observe(seconds);
      for (const [table, written] of Object.entries(outcome.rows)) rows.inc({ table }, written);
      for (const letter of outcome.deadLetters) deadLetters.inc({ code: letter.code });
    },
    batchAbandoned: () => batches.inc({ outcome: 'abandoned' }),
    retry: (reason) => retries.inc({ reason }),
  };
}

/** What the consumer's retention job reports (services/consumer/retention-job.ts), in the same registry. */
export interface RetentionMetrics {
  /** A batch committed: counted at once, so that a long run shows its progress (and a failed one what it did). */
  callsDeleted(calls: number): void;
  runFinished(deletedCalls: number, seconds: number): void;
  runFailed(): void;
}

export function createRetentionMetrics(registry: Registry): RetentionMetrics {
  const registers = [registry];
  const deleted = new Counter({
    name: 'consumer_retention_deleted_calls_total',
    help: "Calls deleted because they were older than their tenant's retention, with all their rows",
    registers,
  });
  const lastRun = new Gauge({
    name: 'consumer_retention_last_run_deleted_calls',
    help: 'Calls the last finished retention run deleted',
    registers,
  });
  const lastRunSeconds = new Gauge({
    name: 'consumer_retention_last_run_duration_seconds',
    help: 'How long the last finished retention run took',
    registers,
  });
  const runs = new Counter({
    name: 'consumer_retention_runs_total',
    help: 'Retention runs, by outcome: finished, or failed (tried again at the next interval)',
    labelNames: ['outcome'] as const,
    registers,
  });
  return {
    callsDeleted: (calls) => deleted.inc(calls),
    runFinished(deletedCalls, seconds) {
      runs.inc({ outcome: 'finished' });
      lastRun.set(deletedCalls);
      lastRunSeconds.set(seconds);
    },
    runFailed: () => runs.inc({ outcome: 'failed' }),
  };
}
