import type { Pool } from '../../shared/db/pool.ts';
import { callIdPrefix } from '../generator/callback.ts';
import { CALL_TABLES } from '../../kit/test-database.ts';
import { drainWithConsumer } from './drain.ts';
import type { Lab, ServiceWiring } from './lab.ts';
import { prefillTopic } from './prefill.ts';

/**
 * Brings empty tables to the steady state a running system is in before a consumer drain is measured:
 * a small unmeasured drain (its own topic, group and consumer process), then ANALYZE, as autovacuum
 * does within a minute or two in production.
 *
 * Why: Postgres caches the plan of each foreign-key check (child row → calls / call_instances) per
 * connection. Planned while `calls` has a few pages, it is a sequential scan, kept as the table grows
 * until an ANALYZE invalidates it; a consumer measured from truncated tables then slows down with every
 * batch (see docs/benchmarks.md, "consumer"). That is a cold-start effect, not the steady state.
 */
export async function warmUpTables(lab: Lab, pool: Pool, count: number, label: string, wiring: ServiceWiring = {}): Promise<void> {
  const topics = await lab.topics(`${label}-warmup`);
  await prefillTopic(lab, topics.callRecords, callIdPrefix(lab.random), count);
  await drainWithConsumer(lab, topics, count, `${label}-warmup`, wiring);
  await pool.query(`analyze ${CALL_TABLES.join(', ')}`);
}
