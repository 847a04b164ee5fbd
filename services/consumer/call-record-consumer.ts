import type { Kafka, Producer } from 'kafkajs';
import type { DeadLetter, IncomingRecord, BatchOutcome } from './batch-processor.ts';

/**
 * The thin wrapper around the kafkajs consumer: it feeds batches to a handler and commits a batch's
 * offsets only after the handler (the Postgres transaction) succeeded. Dead letters are published to the
 * DLQ topic before the commit, so neither a good nor a bad record is ever skipped.
 */
export interface CallRecordConsumerOptions {
  groupId: string;
  topic: string;
  dlqTopic: string;
  fromBeginning?: boolean;
  handle(records: IncomingRecord[]): Promise<BatchOutcome>;
  onBatch?(outcome: BatchOutcome, partition: number, records: number): void;
}

export interface CallRecordConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function publishDeadLetters(producer: Producer, topic: string, sourceTopic: string, letters: DeadLetter[]) {
  if (letters.length === 0) return;
  await producer.send({
    topic,
    acks: -1,
    messages: letters.map((letter) => ({
      value: letter.record.value,
      headers: {
        'error-code': letter.code,
        'error-message': letter.reason,
        'source-topic': sourceTopic,
        'source-partition': String(letter.record.partition),
        'source-offset': letter.record.offset,
      },
    })),
  });
}

export function createCallRecordConsumer(kafka: Kafka, options: CallRecordConsumerOptions): CallRecordConsumer {
  const consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  const producer = kafka.producer({ allowAutoTopicCreation: false });

  return {
    async start() {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          if (batch.messages.length === 0) return;
          const records = batch.messages.map((message) => ({
            partition: batch.partition,
            offset: message.offset,
            value: message.value,
          }));
          const outcome = await options.handle(records);
          await publishDeadLetters(producer, options.dlqTopic, batch.topic, outcome.deadLetters);
          const last = batch.lastOffset();
          resolveOffset(last);
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
          ]);
          options.onBatch?.(outcome, batch.partition, records.length);
          await heartbeat();
        },
      });
    },
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
