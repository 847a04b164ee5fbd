import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BatchOutcome } from './batch-processor.ts';

/** What the consumer reports to Prometheus; one instance per registry. */
export interface ConsumerMetrics {
  /** Messages behind the end of the partition, as last seen by this member. */
  lag(topic: string, partition: number, messages: number): void;
  /** A new assignment: partitions this member no longer owns stop reporting lag. */
  assignmentChanged(): void;
  batchCommitted(outcome: BatchOutcome, messages: number, seconds: number): void;
  /** Given up uncommitted (stopping, or the partition moved to another member); it will be processed again. */
  batchAbandoned(): void;
  retry(reason: string): void;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  const registers = [registry];
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
  const retries = counter('consumer_batch_retries_total', 'Batch attempts that failed transiently and were retried, by reason', ['reason']);

  return {
    lag: (topic, partition, value) => lag.set({ topic, partition: String(partition) }, value),
    assignmentChanged: () => lag.reset(),
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
