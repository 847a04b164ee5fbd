import { describe, expect, it } from 'vitest';
import {
  contractTopics,
  describeShortfall,
  topicShortfalls,
  type ExistingTopic,
  type TopicSpec,
} from '../../shared/kafka/topic-settings.ts';
import { loadConfig } from '../../shared/config.ts';

const spec: TopicSpec = {
  name: 't',
  partitions: 6,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  retentionMs: 604_800_000,
  maxMessageBytes: 4_194_304,
};
const healthy: ExistingTopic = {
  name: 't',
  partitions: 6,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  retentionMs: 604_800_000,
  maxMessageBytes: 4_194_304,
};

describe('topicShortfalls', () => {
  it('finds nothing in a topic as configured, nor in one with more of everything', () => {
    expect(topicShortfalls(spec, healthy)).toEqual([]);
    expect(
      topicShortfalls(spec, {
        ...healthy,
        partitions: 12,
        replicationFactor: 5,
        minInsyncReplicas: 3,
        retentionMs: -1,
        maxMessageBytes: 8_388_608,
      }),
    ).toEqual([]);
  });

  it('names each setting that falls short, with the variable that asks for it', () => {
    const weak = {
      name: 't',
      partitions: 3,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      retentionMs: 3_600_000,
      maxMessageBytes: 1_048_588,
    };
    expect(topicShortfalls(spec, weak).map(describeShortfall)).toEqual([
      'topic t: partitions is 3, TOPIC_PARTITIONS asks for 6',
      'topic t: replication factor is 1, TOPIC_REPLICATION_FACTOR asks for 3',
      'topic t: min.insync.replicas is 1, TOPIC_MIN_INSYNC_REPLICAS asks for 2',
      'topic t: retention.ms is 3600000, TOPIC_RETENTION_MS asks for 604800000',
      'topic t: max.message.bytes is 1048588, callstream needs 4194304',
    ]);
  });

  it('checks only what is configured: unset replication, min.insync and retention take whatever the broker gave', () => {
    const open: TopicSpec = { name: 't', partitions: 6, maxMessageBytes: 4_194_304 };
    expect(topicShortfalls(open, { ...healthy, replicationFactor: 1, minInsyncReplicas: 1, retentionMs: 60_000 })).toEqual([]);
  });

  it('a min.insync.replicas above the replica count is reported even when not configured: no acks=all write could succeed', () => {
    const open: TopicSpec = { name: 't', partitions: 6, maxMessageBytes: 4_194_304 };
    expect(topicShortfalls(open, { ...healthy, replicationFactor: 1, minInsyncReplicas: 2 }).map(describeShortfall)).toEqual([
      'topic t: min.insync.replicas is 2, callstream needs at most its replication factor 1',
    ]);
  });

  it('retention -1 (for ever) is weakened by any finite retention; a finite one is not weakened by -1', () => {
    expect(topicShortfalls({ ...spec, retentionMs: -1 }, healthy).map(describeShortfall)).toEqual([
      'topic t: retention.ms is 604800000, TOPIC_RETENTION_MS asks for -1 (for ever)',
    ]);
    expect(topicShortfalls(spec, { ...healthy, retentionMs: -1 })).toEqual([]);
  });
});

describe('contractTopics', () => {
  it('gives the three topics the configured settings, retention to the call-records topic alone', () => {
    const config = loadConfig({ TOPIC_REPLICATION_FACTOR: '3', TOPIC_MIN_INSYNC_REPLICAS: '2', TOPIC_RETENTION_MS: '-1' });
    const shared = { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2, maxMessageBytes: 4_194_304 };
    expect(contractTopics(config)).toEqual([
      { name: 'call-records.v1', ...shared, retentionMs: -1 },
      { name: 'call-records.rejected.v1', ...shared },
      { name: 'call-records.dlq.v1', ...shared },
    ]);
  });

  it('leaves replication, min.insync.replicas and retention to the broker when unset', () => {
    expect(contractTopics(loadConfig({}))[0]).toEqual({ name: 'call-records.v1', partitions: 6, maxMessageBytes: 4_194_304 });
  });
});
