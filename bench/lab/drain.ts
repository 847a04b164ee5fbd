import { randomBytes } from 'node:crypto';
import { sampleBackendStates, type BackendStates } from './backend-states.ts';
import type { Lab, ServiceWiring } from './lab.ts';
import type { TopicSet } from '../../kit/topics.ts';

/**
 * Runs the consumer service on a pre-filled topic with a new group and measures how fast it drains it.
 * Progress is read from the group's committed offsets: the consumer commits a batch only after its
 * Postgres transaction committed (docs/reliability.md), so committed = written.
 */
const POLL_MS = 100;
const DEADLINE_MS = 15 * 60_000;

export interface Drain {
  callbacksPerS: number;
  seconds: number;
  cpu: Record<string, number>;
  /** Shares of the drain the consumer's Postgres connections spent active, idle in a transaction, idle. */
  backendStates: Record<string, number>;
}

/**
 * Undefined while the broker cannot say yet: a new group's coordinator may still be loading its offsets
 * partition on a busy machine (a retriable error kafkajs gives up on after its own retries).
 */
async function committed(admin: ReturnType<Lab['kafka']['admin']>, group: string, topic: string): Promise<number | undefined> {
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0);
  } catch (error) {
    if ((error as { retriable?: unknown }).retriable === true) return undefined;
    throw error;
  }
}

export async function drainWithConsumer(
  lab: Lab,
  topics: TopicSet,
  count: number,
  label: string,
  wiring: ServiceWiring = {},
): Promise<Drain> {
  const group = `bench.${label}.${randomBytes(4).toString('hex')}`;
  const admin = lab.kafka.admin();
  await admin.connect();
  const consumer = await lab.service('consumer', label, { ...wiring, topics, group });
  let states: BackendStates | undefined;
  try {
    const cpu = await lab.watchCpu([consumer]);
    // The consumer names its connections 'callstream-consumer' (shared/db/pool.ts application_name).
    states = sampleBackendStates(lab.db.pool, new URL(wiring.databaseUrl ?? lab.db.url).pathname.slice(1), 'callstream-consumer');
    const started = performance.now();
    const deadline = Date.now() + DEADLINE_MS;
    let first: { at: number; done: number } | undefined;
    for (;;) {
      const done = (await committed(admin, group, topics.callRecords)) ?? 0;
      const at = performance.now();
      if (!first && done > 0) first = { at, done };
      if (done >= count) {
        // Measured from the first commit, so that joining the group is not counted as draining time.
        const useFirst = first && first.done < count && at > first.at;
        const seconds = useFirst ? (at - first!.at) / 1000 : (at - started) / 1000;
        const drained = useFirst ? count - first!.done : count;
        return {
          callbacksPerS: Math.round(drained / seconds),
          seconds: Math.round(seconds * 100) / 100,
          cpu: await cpu.stop(),
          backendStates: await states.stop(),
        };
      }
      if (Date.now() > deadline) {
        throw new Error(`${label}: the consumer committed ${done} of ${count} records in ${DEADLINE_MS / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    // Whatever ended the drain: a sampler left running would query the pool after the bench closed it.
    await states?.stop();
    await consumer.stop();
    await admin.disconnect();
  }
}
