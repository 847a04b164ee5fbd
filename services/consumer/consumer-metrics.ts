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
  const lag = new Gauge({
    name: 'consumer_lag_messages',
    help: 'Messages in the partition after the last one this member processed',
    labelNames: ['topic', 'partition'] as const,
    registers,
  });
  const batches = new Counter({
    name: 'consumer_batches_total',
    help: 'Kafka batches, by outcome: committed, or abandoned uncommitted to be processed again',
    labelNames: ['outcome'] as const,
    registers,
  });
  const messages = new Counter({ name: 'consumer_messages_total', help: 'Messages in committed batches', registers });
  const rows = new Counter({
    name: 'consumer_rows_written_total',
    help: 'Rows written to Postgres, by table',
    labelNames: ['table'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'consumer_batch_duration_seconds',
    help: 'From a batch received to its offsets committed, retries included',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const deadLetters = new Counter({
    name: 'consumer_dead_letters_total',
    help: 'Messages sent to the dead-letter topic, by error code',
    labelNames: ['code'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'consumer_batch_retries_total',
    help: 'Batch attempts that failed transiently and were retried, by reason',
    labelNames: ['reason'] as const,
    registers,
  });

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
