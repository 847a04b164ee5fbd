import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { reconcile, storedCalls, type CallOutcome } from '../../kit/reconcile.ts';
import { uniqueName } from '../../kit/topics.ts';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import { callbackArb, fuzzRuns, mutantArb, type GeneratedCallback } from '../support/chaos-callback-arbitrary.ts';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * The fuzzer end to end: generated callbacks POSTed to the ingress, through Kafka and the consumer into
 * Postgres. Every valid one is answered 200 and stored once, field for field (its raw copy, sessions,
 * lines, labels, variables, recordings); every mutant is answered 4xx, never 5xx, and nothing of it is
 * stored. CI runs 150 cases per property; `npm run fuzz` runs 10,000.
 */
let pipeline: TestPipeline;
let tenant: CreatedTenant;
const group = uniqueName('fuzz-group');

beforeAll(async () => {
  pipeline = await startTestPipeline();
  tenant = await pipeline.createTenant();
  await pipeline.startConsumer(group);
});

afterAll(async () => {
  await pipeline?.close();
});

const post = (body: string) =>
  pipeline.ingress.inject({
    method: 'POST',
    url: `/v1/tenants/${tenant.tenantId}/call-records`,
    headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json' },
    payload: body,
  });

describe('callbacks fuzzed end to end', () => {
  it('stores every valid callback once, field for field; answers every mutant 4xx and stores none of it', async () => {
    const outcomes: CallOutcome[] = [];
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(callbackArb, async (generated) => {
        // Unique per case, so each case is its own call; the generated id stays in it.
        const sent: GeneratedCallback = { ...generated, callId: `valid-${serial++}-${generated.callId}` };
        const response = await post(JSON.stringify(sent));
        expect({ status: response.statusCode, body: response.statusCode === 200 ? undefined : response.json() }).toEqual({
          status: 200,
          body: undefined,
        });
        outcomes.push({ call: serial, deliveries: [sent], lastAccepted: 0, attempted: 1 });
      }),
      { numRuns: fuzzRuns(150) },
    );
    await fc.assert(
      fc.asyncProperty(mutantArb, async ([what, body]) => {
        const marked = body.replace('"callId":"', `"callId":"mutant-${serial++}-`);
        const response = await post(marked);
        expect({ what, status: response.statusCode >= 400 && response.statusCode < 500 ? '4xx' : response.statusCode }).toEqual({
          what,
          status: '4xx',
        });
      }),
      { numRuns: fuzzRuns(150) },
    );

    await waitUntilConsumed(pipeline.kafka, group, pipeline.topics.callRecords, 120_000);
    const stored = await storedCalls(pipeline.db.pool, tenant.tenantId);
    const counted = reconcile(outcomes, stored);
    expect(counted.problems).toEqual([]);
    expect({ stored: counted.stored, lost: counted.lost, duplicated: counted.duplicated }).toEqual({
      stored: outcomes.length,
      lost: 0,
      duplicated: 0,
    });
    expect([...stored.keys()].filter((callId) => !callId.startsWith('valid-'))).toEqual([]);
    expect(stored.size).toBe(outcomes.length);
  }, 600_000);
});
