import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/**
 * The one shape of producer the project writes with (the ingress, the consumer's dead letters, the CLI's
 * replays): no topic created by a send, keys partitioned with Kafka's own murmur2 as a Java producer would
 * (so a call's deliveries share a partition and subscribers can rely on it), and no kafkajs retries:
 * kafkajs 2.2.4's retries skip brokers that answered the first attempt even after a leader change moved
 * the failed partitions onto them, so a send resolves for records never written (tulios/kafkajs#1303).
 * Callers send a failed batch again themselves, whole. Not idempotent either: kafkajs drops messages when
 * idempotent sends overlap; duplicates are harmless because the sink deduplicates.
 */
export function createRecordProducer(kafka: Kafka): Producer {
  return kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 0 } });
}

/** Kafka refused the record (or the request) as larger than the topic takes. */
export function isTooLarge(error: unknown): boolean {
  for (let at = error as { type?: string; cause?: unknown } | undefined; at; at = at.cause as typeof at) {
    if (at.type === 'MESSAGE_TOO_LARGE' || at.type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}

/**
 * Whether a failed send is worth sending again: kafkajs' own judgement of the first error it met (its
 * retry wrapper is not retriable by itself); never a bug of ours (a TypeError and the like).
 */
export function isRetriableSendError(error: unknown): boolean {
  let root = error as { retriable?: boolean; cause?: unknown; name?: string } | undefined;
  while (root?.cause) root = root.cause as typeof root;
  if (!root || ['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError'].includes(root.name ?? '')) return false;
  return root.retriable !== false;
}
