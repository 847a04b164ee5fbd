import type { IHeaders, Kafka } from 'kafkajs';
import type { Config } from '../../shared/config.ts';
import { compressionType } from '../../shared/kafka/codecs.ts';
import { createRecordProducer, isRetriableSendError, isTooLarge } from '../../shared/kafka/producer.ts';
import { nextBatchLength, RECORD_OVERHEAD_BYTES } from '../../services/ingress/publish/publish-batch.ts';
import { CommandFailure } from './command.ts';

/**
 * Publishes what a replay sends back to the call-records topic, as the ingress's producer does: acks=all,
 * keys partitioned with Kafka's murmur2 (so a replayed call lands in the partition of its other
 * deliveries, where "newest wins" compares it with them), KAFKA_COMPRESSION, batches of at most
 * PRODUCE_MAX_BATCH records and PRODUCE_MAX_BATCH_BYTES bytes. Like the ingress's, the producer neither is
 * idempotent nor retries by itself (kafkajs 2.2.4 can report records as written that a retry after a
 * leader change skipped, tulios/kafkajs#1303): a failed batch is sent again whole here. A duplicate is
 * harmless, the consumer stores each call once; a failure that outlasts the attempts stops the command
 * with how far it got, and running it again is safe for the same reason.
 */
export interface OutgoingMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: IHeaders;
}

export type RepublishSettings = Pick<Config, 'KAFKA_COMPRESSION' | 'PRODUCE_MAX_BATCH' | 'PRODUCE_MAX_BATCH_BYTES' | 'PRODUCE_TIMEOUT_MS'>;

const ATTEMPTS = 5;
const PAUSE_INITIAL_MS = 200;
const PAUSE_MAX_MS = 2_000;

/** Sends the messages in order, batch after batch; resolves once Kafka acknowledged every one. */
export async function republish(
  kafka: Kafka,
  topic: string,
  messages: readonly OutgoingMessage[],
  settings: RepublishSettings,
): Promise<void> {
  if (messages.length === 0) return;
  const producer = createRecordProducer(kafka);
  const sized = messages.map((message) => ({ message, bytes: messageBytes(message) }));
  let sent = 0;
  try {
    await producer.connect();
    while (sent < sized.length) {
      const batch = sized.slice(
        sent,
        sent + nextBatchLength(sized.slice(sent), settings.PRODUCE_MAX_BATCH, settings.PRODUCE_MAX_BATCH_BYTES),
      );
      for (let attempt = 1; ; attempt++) {
        try {
          await producer.send({
            topic,
            acks: -1,
            timeout: settings.PRODUCE_TIMEOUT_MS,
            compression: compressionType(settings.KAFKA_COMPRESSION),
            messages: batch.map(({ message }) => message),
          });
          break;
        } catch (error) {
          if (attempt >= ATTEMPTS || isTooLarge(error) || !isRetriableSendError(error)) {
            throw new CommandFailure(
              'KAFKA_PUBLISH_FAILED',
              `Kafka did not take the records for ${topic}: ${(error as Error).message}; ${sent} of ${messages.length} were published ` +
                'before; running the command again is safe (the consumer stores each call once)',
            );
          }
          await new Promise((done) => setTimeout(done, Math.min(PAUSE_MAX_MS, PAUSE_INITIAL_MS * 2 ** (attempt - 1))));
        }
      }
      sent += batch.length;
    }
  } finally {
    await producer.disconnect();
  }
}

/** The size the batch bound counts: as the ingress's estimate (publish-batch.ts), for bytes as well as text. */
function messageBytes(message: OutgoingMessage): number {
  const length = (value: Buffer | string | null | undefined) => (value === null || value === undefined ? 0 : Buffer.byteLength(value));
  let bytes = length(message.key) + length(message.value) + RECORD_OVERHEAD_BYTES;
  for (const [name, value] of Object.entries(message.headers)) {
    for (const part of Array.isArray(value) ? value : [value]) bytes += Buffer.byteLength(name) + length(part) + 2;
  }
  return bytes;
}
