import { callIdOf, callIdPrefix } from '../generator/callback.ts';
import { createHttpClient } from '../load/http.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import { bulkLoadCalls } from '../lab/bulk-load.ts';
import { truncateCallTables } from '../lab/database.ts';
import { drainWithConsumer } from '../lab/drain.ts';
import type { Lab } from '../lab/lab.ts';
import { prefillTopic } from '../lab/prefill.ts';
import { lookupRequest } from '../lab/requests.ts';
import type { GrowthResult } from '../results.ts';
import type { ConsumerStageOutput } from './consumer.ts';

/**
 * Stage 6: consumer throughput and query p99 with nothing stored and with `growthCalls` calls stored.
 * At 0: the tables are emptied, the consumer stage's topic is drained again (new group), and lookups go
 * to those calls. Then `growthCalls` calls are bulk-loaded by SQL; a second topic of as many callbacks
 * of the same shapes (new ids) is drained, and lookups go to random calls among all those stored.
 */
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

async function lookupP99(lab: Lab, origin: string, prefix: string, count: number, rate: number): Promise<number> {
  const client = createHttpClient(origin, 128);
  const send = () => client.send(lookupRequest(lab, callIdOf(prefix, lab.random.int(0, count - 1))));
  try {
    await runOpenLoop({ ratePerS: rate, durationMs: lab.options.warmupMs, maxInFlight: 2_000, send });
    const load = await runOpenLoop({ ratePerS: rate, durationMs: lab.options.durationMs, maxInFlight: 2_000, send });
    if (load.failed + load.dropped > 0) throw new Error(`growth: ${load.failed + load.dropped} lookups failed: ${JSON.stringify(load.statuses)}`);
    return load.latency.p99_ms;
  } finally {
    await client.close();
  }
}

export async function runGrowthStage(lab: Lab, consumer: ConsumerStageOutput, queryRate: number, step: (line: string) => void): Promise<GrowthResult> {
  const count = lab.options.consumerCalls;
  const stored = lab.options.growthCalls;

  await truncateCallTables(lab.db.pool);
  const atZero = await drainWithConsumer(lab, consumer.topics, count, 'growth-consumer-0');
  const query = await lab.service('query', 'growth-query', {});
  try {
    const p99AtZero = await lookupP99(lab, query.origin, consumer.prefix, count, queryRate);
    step(`growth at 0: ${atZero.callbacksPerS} cb/s, lookup p99 ${p99AtZero} ms at ${queryRate} req/s`);

    const bulkPrefix = callIdPrefix(lab.random);
    const loadStarted = performance.now();
    await bulkLoadCalls(lab.db.pool, {
      tenantId: lab.tenant.tenantId,
      source: { prefix: consumer.prefix, count },
      prefix: bulkPrefix,
      stored,
      replicasPerStatement: 10,
      progress: step,
    });
    const bulkLoadS = (performance.now() - loadStarted) / 1000;
    // The consumer stage's own calls stay too: `stored` is what was bulk-loaded on top of them.
    const topics = await lab.topics('growth');
    await prefillTopic(lab, topics.callRecords, callIdPrefix(lab.random), count);
    const atStored = await drainWithConsumer(lab, topics, count, 'growth-consumer-n');
    const p99AtStored = await lookupP99(lab, query.origin, bulkPrefix, stored, queryRate);
    step(`growth at ${stored}: ${atStored.callbacksPerS} cb/s, lookup p99 ${p99AtStored} ms`);

    return {
      stored_calls: stored,
      bulk_load_s: Math.round(bulkLoadS),
      consumer_callbacks_per_s_at_0: atZero.callbacksPerS,
      consumer_callbacks_per_s_at_stored: atStored.callbacksPerS,
      throughput_ratio: round(atStored.callbacksPerS / atZero.callbacksPerS),
      query_p99_ms_at_0: p99AtZero,
      query_p99_ms_at_stored: p99AtStored,
      p99_ratio: round(p99AtZero / p99AtStored),
      query_rate: Math.round(queryRate),
    };
  } finally {
    await query.stop();
  }
}
