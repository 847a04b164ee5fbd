import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { creationConfigEntries, topicShortfalls, type ExistingTopic, type TopicShortfall, type TopicSpec } from './topic-settings.ts';

/**
 * Topics as a cluster needs them: the missing ones are created from their spec, the existing ones are
 * read back and compared with it. What falls short is returned, never silently accepted; the caller
 * (npm run setup, npm start) reports it and stops.
 */
export interface TopicsReport {
  created: string[];
  shortfalls: TopicShortfall[];
}

export class TopicCreationError extends Error {
  readonly code = 'TOPIC_CREATION_REFUSED';
}

// Node's named-export detection stops before this one in kafkajs' CommonJS index.
const { ConfigResourceTypes } = kafkajs;

const DESCRIBED = ['min.insync.replicas', 'retention.ms', 'max.message.bytes'] as const;

async function describeTopics(admin: Admin, names: string[]): Promise<ExistingTopic[]> {
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: [...DESCRIBED] })),
  });
  return topics.map((topic) => {
    const entries = resources.find((resource) => resource.resourceName === topic.name)?.configEntries ?? [];
    const value = (name: (typeof DESCRIBED)[number]) => {
      const entry = entries.find((candidate) => candidate.configName === name);
      if (!entry) throw new Error(`Kafka did not describe ${name} of topic ${topic.name}`);
      return Number(entry.configValue);
    };
    return {
      name: topic.name,
      partitions: topic.partitions.length,
      replicationFactor: Math.min(...topic.partitions.map((partition) => partition.replicas.length)),
      minInsyncReplicas: value('min.insync.replicas'),
      retentionMs: value('retention.ms'),
      maxMessageBytes: value('max.message.bytes'),
    };
  });
}

/** A refusal the operator can act on (a replication factor above the broker count), in Kafka's own words. */
function creationRefused(error: unknown, specs: TopicSpec[]): TopicCreationError | undefined {
  const errors = (error as { errors?: unknown[] }).errors ?? [error];
  const first = errors.find((candidate) => typeof (candidate as { type?: unknown }).type === 'string') as
    { type: string; message: string; topic?: string } | undefined;
  if (!first || first.type === 'TOPIC_ALREADY_EXISTS') return undefined;
  const topic = first.topic ?? specs[0]!.name;
  const hint = first.type === 'INVALID_REPLICATION_FACTOR' ? ' (TOPIC_REPLICATION_FACTOR is more than the brokers the cluster has)' : '';
  return new TopicCreationError(`Kafka refused to create topic ${topic}: ${first.type}: ${first.message}${hint}`, { cause: error });
}

export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<TopicsReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({
            topic: spec.name,
            numPartitions: spec.partitions,
            // Left out, the broker's default.replication.factor applies (Kafka 2.4+ takes -1 for it).
            ...(spec.replicationFactor !== undefined ? { replicationFactor: spec.replicationFactor } : {}),
            configEntries: creationConfigEntries(spec),
          })),
        });
      } catch (error) {
        throw creationRefused(error, missing) ?? error;
      }
    }
    // Created ones are described too: a broker default (min.insync.replicas above the replica count) can still fall short.
    const described = await describeTopics(
      admin,
      specs.map((spec) => spec.name),
    );
    const shortfalls = specs.flatMap((spec) => {
      const topic = described.find((candidate) => candidate.name === spec.name);
      return topic ? topicShortfalls(spec, topic) : [];
    });
    return { created: missing.map((spec) => spec.name), shortfalls };
  } finally {
    await admin.disconnect();
  }
}
