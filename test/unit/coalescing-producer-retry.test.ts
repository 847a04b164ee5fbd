import kafkajs, { type Producer, type ProducerBatch } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCoalescingProducer, PublishError, type PublishSettings } from '../../services/ingress/publish/coalescing-producer.ts';

/**
 * The coalescing producer sends a failed batch again itself, whole, while its records have time left:
 * kafkajs' own retries are off (services/ingress/start.ts) because across a leader change they can
 * resolve a send for records never written (tulios/kafkajs#1303). The Kafka client here answers each
 * sendBatch from a script; the clock is vitest's.
 */
// Node's named-export detection does not reach kafkajs' error classes.
const { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;

const SETTINGS: PublishSettings = {
  PRODUCE_LINGER_MS: 5,
  PRODUCE_MAX_BATCH: 500,
  PRODUCE_MAX_BATCH_BYTES: 4_000_000,
  PRODUCE_MAX_IN_FLIGHT: 1,
  PRODUCE_QUEUE_LIMIT: 100,
  PRODUCE_TIMEOUT_MS: 1_000,
  KAFKA_COMPRESSION: 'none',
};

/** What kafkajs throws with retries: 0: its retry wrapper around the broker's error. */
const refusal = (type: string, retriable: boolean) =>
  new KafkaJSNumberOfRetriesExceeded(
    new KafkaJSProtocolError(Object.assign(new Error(`broker said ${type}`), { type, code: 0, retriable })),
    { retryCount: 0, retryTime: 100 },
  );

function scriptedProducer(answers: Array<Error | 'ok'>) {
  const sent: ProducerBatch[] = [];
  const producer = {
    events: { CONNECT: 'producer.connect', DISCONNECT: 'producer.disconnect' },
    on: () => () => undefined,
    connect: async () => undefined,
    async sendBatch(batch: ProducerBatch) {
      sent.push(batch);
      const answer = answers.shift() ?? 'ok';
      if (answer !== 'ok') throw answer;
      return [];
    },
  } as unknown as Producer;
  return { producer, sent };
}

const record = (key: string) => ({ topic: 'call-records', key, value: `{"call":"${key}"}`, headers: {} });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('coalescing producer, a failed batch', () => {
  it('is sent again whole after a retriable refusal (a leader moved) and acknowledged', async () => {
    const notLeader = refusal('NOT_LEADER_OR_FOLLOWER', true);
    const { producer, sent } = scriptedProducer([notLeader, notLeader, 'ok']);
    const coalescing = createCoalescingProducer(producer, SETTINGS);
    const sends = Promise.all([coalescing.send(record('a')), coalescing.send(record('b'))]);
    await vi.runAllTimersAsync();
    await expect(sends).resolves.toEqual([undefined, undefined]);
    expect(sent.map((batch) => batch.topicMessages!.map(({ messages }) => messages.map((message) => message.key)))).toEqual([
      [['a', 'b']],
      [['a', 'b']],
      [['a', 'b']],
    ]);
    expect(coalescing.isConnected()).toBe(true);
  });

  it('is refused at once when Kafka says retrying cannot help', async () => {
    const { producer, sent } = scriptedProducer([refusal('TOPIC_AUTHORIZATION_FAILED', false)]);
    const coalescing = createCoalescingProducer(producer, SETTINGS);
    const sending = coalescing.send(record('a')).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    const error = await sending;
    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).code).toBe('PUBLISH_FAILED');
    expect(sent).toHaveLength(1);
  });

  it('is sent again only while its records have time left, each attempt given the time that is left', async () => {
    const notLeader = refusal('NOT_LEADER_OR_FOLLOWER', true);
    const { producer, sent } = scriptedProducer(Array.from({ length: 20 }, () => notLeader));
    const coalescing = createCoalescingProducer(producer, SETTINGS);
    const sending = coalescing.send(record('a')).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    const error = await sending;
    expect((error as PublishError).code).toBe('PUBLISH_FAILED');
    // Sent 5 ms after the record came (the linger), then after pauses of 100, 200 and 400 ms; a pause of
    // 800 ms would leave less than the shortest attempt before the record's 1,000 ms are up.
    expect(sent.map((batch) => batch.timeout)).toEqual([995, 895, 695, 295]);
    expect(coalescing.isConnected()).toBe(false);
  });
});
