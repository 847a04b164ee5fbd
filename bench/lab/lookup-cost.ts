import { bytesPerStoredCall, executionBuffers } from '../../kit/lookup-cost.ts';
import { findCallStatement } from '../../services/query/calls-repository.ts';
import type { Pool } from '../../shared/db/pool.ts';
import { callIdOf } from '../generator/callback.ts';
import type { Lab } from './lab.ts';

/**
 * query.buffers_per_lookup and query.bytes_per_call: the mean shared buffers the service's own lookup
 * statement touches on random stored calls (EXPLAIN (ANALYZE, BUFFERS), execution only), and the bytes of
 * every call table (heap, TOAST, indexes) over the calls stored.
 */
const SAMPLED_LOOKUPS = 200;

export async function lookupCost(lab: Lab, pool: Pool, calls: { prefix: string; count: number }) {
  let buffers = 0;
  for (let sample = 0; sample < SAMPLED_LOOKUPS; sample += 1) {
    const callId = callIdOf(calls.prefix, lab.random.int(0, calls.count - 1));
    buffers += await executionBuffers(pool, { text: findCallStatement.text, types: ['uuid', 'text'] }, [lab.tenant.tenantId, callId]);
  }
  const { bytesPerCall } = await bytesPerStoredCall(pool);
  return { buffers_per_lookup: Math.round((buffers / SAMPLED_LOOKUPS) * 100) / 100, bytes_per_call: bytesPerCall };
}
