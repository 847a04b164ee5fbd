import type { Config } from '../config.ts';

/**
 * What each topic of the topic contract must be, from the config, and how an existing topic falls short
 * of it. Pure: shared/kafka/topics.ts reads the cluster and creates what is missing.
 */

/**
 * Records may be as large as the ingress body limit (1 MiB) plus the envelope, and a quarantined payload
 * carries its errors too: the broker's default of about 1 MB per record is raised on our topics.
 */
export const TOPIC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Unset: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Unset: the broker's min.insync.replicas. */
  minInsyncReplicas?: number;
  /** Unset: the broker's log.retention; -1 keeps records for ever. */
  retentionMs?: number;
  maxMessageBytes: number;
}

/** What the cluster says of an existing topic. Config values are the effective ones (a broker default included). */
export interface ExistingTopic {
  name: string;
  partitions: number;
  /** The smallest replica count of its partitions: the weakest one decides what a write can survive. */
  replicationFactor: number;
  minInsyncReplicas: number;
  retentionMs: number;
  maxMessageBytes: number;
}

export type TopicSetting = 'partitions' | 'replication factor' | 'min.insync.replicas' | 'retention.ms' | 'max.message.bytes';

export interface TopicShortfall {
  topic: string;
  setting: TopicSetting;
  actual: number;
  wanted: string;
  /** The variable that asks for more; undefined when the product itself needs it. */
  variable?: string;
}

type TopicConfig = Pick<
  Config,
  | 'TOPIC_CALL_RECORDS'
  | 'TOPIC_REJECTED'
  | 'TOPIC_DLQ'
  | 'TOPIC_PARTITIONS'
  | 'TOPIC_REPLICATION_FACTOR'
  | 'TOPIC_MIN_INSYNC_REPLICAS'
  | 'TOPIC_RETENTION_MS'
>;

/** The three topics of docs/topic-contract.md; retention is set on the call-records topic alone (the replay source). */
export function contractTopics(config: TopicConfig): TopicSpec[] {
  const shared = {
    partitions: config.TOPIC_PARTITIONS,
    maxMessageBytes: TOPIC_MAX_MESSAGE_BYTES,
    ...(config.TOPIC_REPLICATION_FACTOR !== undefined ? { replicationFactor: config.TOPIC_REPLICATION_FACTOR } : {}),
    ...(config.TOPIC_MIN_INSYNC_REPLICAS !== undefined ? { minInsyncReplicas: config.TOPIC_MIN_INSYNC_REPLICAS } : {}),
  };
  return [
    {
      name: config.TOPIC_CALL_RECORDS,
      ...shared,
      ...(config.TOPIC_RETENTION_MS !== undefined ? { retentionMs: config.TOPIC_RETENTION_MS } : {}),
    },
    { name: config.TOPIC_REJECTED, ...shared },
    { name: config.TOPIC_DLQ, ...shared },
  ];
}

/** The topic-level configs a spec sets when it creates a topic. */
export function creationConfigEntries(spec: TopicSpec): Array<{ name: string; value: string }> {
  return [
    { name: 'max.message.bytes', value: String(spec.maxMessageBytes) },
    ...(spec.minInsyncReplicas !== undefined ? [{ name: 'min.insync.replicas', value: String(spec.minInsyncReplicas) }] : []),
    ...(spec.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(spec.retentionMs) }] : []),
  ];
}

const keepsLess = (actual: number, wanted: number) => (wanted === -1 ? actual !== -1 : actual !== -1 && actual < wanted);

/**
 * Every way the existing topic is weaker than its spec. More partitions, replicas or retention than asked
 * is not weaker. A min.insync.replicas above the replica count is always reported: no acks=all write
 * could succeed, whatever was configured.
 */
export function topicShortfalls(spec: TopicSpec, topic: ExistingTopic): TopicShortfall[] {
  const found: TopicShortfall[] = [];
  const short = (setting: TopicSetting, actual: number, wanted: string, variable?: string) =>
    found.push({ topic: topic.name, setting, actual, wanted, ...(variable ? { variable } : {}) });
  if (topic.partitions < spec.partitions) short('partitions', topic.partitions, `${spec.partitions}`, 'TOPIC_PARTITIONS');
  if (spec.replicationFactor !== undefined && topic.replicationFactor < spec.replicationFactor) {
    short('replication factor', topic.replicationFactor, `${spec.replicationFactor}`, 'TOPIC_REPLICATION_FACTOR');
  }
  if (spec.minInsyncReplicas !== undefined && topic.minInsyncReplicas < spec.minInsyncReplicas) {
    short('min.insync.replicas', topic.minInsyncReplicas, `${spec.minInsyncReplicas}`, 'TOPIC_MIN_INSYNC_REPLICAS');
  } else if (topic.minInsyncReplicas > topic.replicationFactor) {
    short('min.insync.replicas', topic.minInsyncReplicas, `at most its replication factor ${topic.replicationFactor}`);
  }
  if (spec.retentionMs !== undefined && keepsLess(topic.retentionMs, spec.retentionMs)) {
    short('retention.ms', topic.retentionMs, spec.retentionMs === -1 ? '-1 (for ever)' : `${spec.retentionMs}`, 'TOPIC_RETENTION_MS');
  }
  if (topic.maxMessageBytes < spec.maxMessageBytes) short('max.message.bytes', topic.maxMessageBytes, `${spec.maxMessageBytes}`);
  return found;
}

/** One line an operator can act on: `topic call-records.v1: replication factor is 1, TOPIC_REPLICATION_FACTOR asks for 3`. */
export function describeShortfall(shortfall: TopicShortfall): string {
  const asker = shortfall.variable ? `${shortfall.variable} asks for` : 'callstream needs';
  return `topic ${shortfall.topic}: ${shortfall.setting} is ${shortfall.actual}, ${asker} ${shortfall.wanted}`;
}
