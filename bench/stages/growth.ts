import { callIdOf, callIdPrefix } from '../generator/callback.ts';
import { createHttpClient, REQUEST_TIMEOUT_MS } from '../load/http.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { bulkLoadCalls } from '../lab/bulk-load.ts';
import type { TestDatabase } from '../../kit/test-database.ts';
import { createBenchDatabase, truncateCallTables } from '../lab/database.ts';
import { drainWithConsumer } from '../lab/drain.ts';
import type { Lab } from '../lab/lab.ts';
import type { NodeProcess } from '../lab/processes.ts';
import { prefillTopic } from '../lab/prefill.ts';
import { runPsql } from '../lab/psql.ts';
import { warmUpTables } from '../lab/warm-up.ts';
import { lookupCost } from '../lab/lookup-cost.ts';
import { lookupRequest } from '../lab/requests.ts';
import type { GrowthResult } from '../results.ts';
import type { ConsumerStageOutput } from './consumer.ts';

/**
 * Stage 6: consumer throughput and query p99 with nothing stored and with `growthCalls` stored. Two
 * databases: the bench's own, emptied before each measurement "at 0", and a second one that holds the
 * consumer stage's calls (loaded from its COPY files) plus bulk-loaded replicas of them up to
 * `growthCalls`. The two are measured alternately, round after round, so that the shared machine's
 * drift over the minutes between them falls on both sides; the figures are the means of the rounds.
 * "At 0" holds only the 1,000 calls of the warm-up drain that precedes every measured drain (see
 * lab/warm-up.ts).
 */
const ROUNDS = 2;

interface GrowthRound {
  consumer_callbacks_per_s_at_0: number;
  consumer_callbacks_per_s_at_stored: number;
  query_p99_ms_at_0: number;
  query_p99_ms_at_stored: number;
  buffers_per_lookup_at_0: number;
  buffers_per_lookup_at_stored: number;
  bytes_per_call_at_0: number;
  bytes_per_call_at_stored: number;
  lookups_failed_at_0: number;
  lookups_failed_at_stored: number;
}

const DRAIN_CALLS = 10_000;
const WARM_UP_CALLS = 1_000;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * p99 of the lookups at a fixed rate. A lookup that failed or was dropped (past the in-flight cap, or the
 * client's timeout) took at least REQUEST_TIMEOUT_MS for its sender: when more than 1% did, that is the p99.
 */
async function lookupP99(lab: Lab, query: NodeProcess, prefix: string, count: number, rate: number) {
  const client = createHttpClient(query.origin, 128);
  const send = () => client.send(lookupRequest(lab, callIdOf(prefix, lab.random.int(0, count - 1))));
  try {
    await runOpenLoop({ ratePerS: rate, durationMs: lab.options.warmupMs, maxInFlight: 2_000, send });
    const load = await runOpenLoop({ ratePerS: rate, durationMs: lab.options.durationMs, maxInFlight: 2_000, send });
    const failed = load.failed + load.dropped;
    return { p99: failed > load.planned / 100 ? REQUEST_TIMEOUT_MS : load.latency.p99_ms, failed };
  } finally {
    await client.close();
  }
}

async function prepareStoredDatabase(lab: Lab, consumer: ConsumerStageOutput, step: (line: string) => void) {
  const db = await createBenchDatabase(lab.config.DATABASE_URL);
  const started = performance.now();
  await createTenantRepository(db.pool).create({ ...lab.tenant, name: 'bench', timezone: 'Asia/Tokyo' });
  await runPsql(db.url, ['-f', consumer.copyScript]);
  const prefix = callIdPrefix(lab.random);
  const count = Math.max(0, lab.options.growthCalls - lab.options.consumerCalls);
  await bulkLoadCalls(db.pool, {
    tenantId: lab.tenant.tenantId,
    source: { prefix: consumer.prefix, count: lab.options.consumerCalls },
    prefix,
    stored: count,
    replicasPerStatement: 10,
    progress: step,
  });
  return { db, bulk: { prefix, count }, seconds: (performance.now() - started) / 1000 };
}

export async function runGrowthStage(
  lab: Lab,
  consumer: ConsumerStageOutput,
  queryRate: number,
  step: (line: string) => void,
): Promise<GrowthResult> {
  const drainCalls = Math.min(DRAIN_CALLS, lab.options.consumerCalls);
  let stored: TestDatabase | undefined;
  const queries: NodeProcess[] = [];
  try {
    const prepared = await prepareStoredDatabase(lab, consumer, step);
    stored = prepared.db;
    const storedWiring = { databaseUrl: stored.url };
    const queryAtZero = await lab.service('query', 'growth-query-0', {});
    queries.push(queryAtZero);
    const queryAtStored = await lab.service('query', 'growth-query-n', storedWiring);
    queries.push(queryAtStored);

    const rounds: GrowthRound[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      const zero = { topics: await lab.topics('growth-0'), prefix: callIdPrefix(lab.random) };
      const more = { topics: await lab.topics('growth-n'), prefix: callIdPrefix(lab.random) };
      await prefillTopic(lab, zero.topics.callRecords, zero.prefix, drainCalls);
      await prefillTopic(lab, more.topics.callRecords, more.prefix, drainCalls);

      // Both sides get the same unmeasured warm-up drain (and ANALYZE) in a consumer of its own.
      await truncateCallTables(lab.db.pool);
      await warmUpTables(lab, lab.db.pool, WARM_UP_CALLS, 'growth-0');
      await warmUpTables(lab, stored.pool, WARM_UP_CALLS, 'growth-n', storedWiring);
      const drainAtZero = await drainWithConsumer(lab, zero.topics, drainCalls, 'growth-consumer-0');
      const p99AtZero = await lookupP99(lab, queryAtZero, zero.prefix, drainCalls, queryRate);
      const drainAtStored = await drainWithConsumer(lab, more.topics, drainCalls, 'growth-consumer-n', storedWiring);
      const p99AtStored = await lookupP99(lab, queryAtStored, prepared.bulk.prefix, prepared.bulk.count, queryRate);
      const costAtZero = await lookupCost(lab, lab.db.pool, { prefix: zero.prefix, count: drainCalls });
      const costAtStored = await lookupCost(lab, stored.pool, prepared.bulk);
      rounds.push({
        consumer_callbacks_per_s_at_0: drainAtZero.callbacksPerS,
        consumer_callbacks_per_s_at_stored: drainAtStored.callbacksPerS,
        query_p99_ms_at_0: p99AtZero.p99,
        query_p99_ms_at_stored: p99AtStored.p99,
        buffers_per_lookup_at_0: costAtZero.buffers_per_lookup,
        buffers_per_lookup_at_stored: costAtStored.buffers_per_lookup,
        bytes_per_call_at_0: costAtZero.bytes_per_call,
        bytes_per_call_at_stored: costAtStored.bytes_per_call,
        lookups_failed_at_0: p99AtZero.failed,
        lookups_failed_at_stored: p99AtStored.failed,
      });
      step(`growth round ${index + 1}: ${JSON.stringify(rounds.at(-1))}`);
    }

    const atZero = mean(rounds.map((entry) => entry.consumer_callbacks_per_s_at_0));
    const atStored = mean(rounds.map((entry) => entry.consumer_callbacks_per_s_at_stored));
    const p99AtZero = mean(rounds.map((entry) => entry.query_p99_ms_at_0));
    const p99AtStored = mean(rounds.map((entry) => entry.query_p99_ms_at_stored));
    const meanOf = (key: 'buffers_per_lookup_at_0' | 'buffers_per_lookup_at_stored' | 'bytes_per_call_at_0' | 'bytes_per_call_at_stored') =>
      round(mean(rounds.map((entry) => entry[key])), 2);
    return {
      stored_calls: lab.options.consumerCalls + prepared.bulk.count,
      bulk_load_s: Math.round(prepared.seconds),
      consumer_callbacks_per_s_at_0: Math.round(atZero),
      consumer_callbacks_per_s_at_stored: Math.round(atStored),
      throughput_ratio: round(atStored / atZero),
      query_p99_ms_at_0: round(p99AtZero, 2),
      query_p99_ms_at_stored: round(p99AtStored, 2),
      p99_ratio: round(p99AtZero / p99AtStored),
      buffers_per_lookup_at_0: meanOf('buffers_per_lookup_at_0'),
      buffers_per_lookup_at_stored: meanOf('buffers_per_lookup_at_stored'),
      bytes_per_call_at_0: meanOf('bytes_per_call_at_0'),
      bytes_per_call_at_stored: meanOf('bytes_per_call_at_stored'),
      query_rate: Math.round(queryRate),
      drain_calls: drainCalls,
      rounds,
    };
  } finally {
    for (const query of queries) await query.stop();
    if (stored && !lab.options.keepDatabase) await stored.drop();
  }
}
