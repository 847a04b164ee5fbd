import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { seededRandom } from '../kit/seeded-random.ts';
import { startFaultEnvironment, type FaultEnvironment } from '../kit/fault-environment.ts';
import { killAllServices } from '../kit/service-process.ts';
import { runScenario, type ScenarioSettings } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';
import { expectNothingLost } from './expect-nothing-lost.ts';

/**
 * The short variant of `npm run chaos -- --only broker-kill-one-of-three`, on a three-node cluster of its
 * own: a node SIGKILLed under load and started again; nothing lost, nothing twice, and fewer than 1% of
 * the requests answered anything but 2xx.
 */
const SHORT: ScenarioSettings = { durationMs: 15_000, ratePerSecond: 40, concurrency: 8, drainTimeoutMs: 60_000 };

let env: FaultEnvironment;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'callstream-chaos-cluster-test-'));
  env = await startFaultEnvironment({ workDir, adminUrl: inject('adminDatabaseUrl'), kafkaNodes: 3 });
}, 180_000);

afterAll(async () => {
  await killAllServices();
  await env?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('chaos on a three-node cluster, short variant', () => {
  it('one node of three SIGKILLed under load and restarted: nothing lost, nothing twice, under 1% of requests not 2xx', async () => {
    const scenario = SCENARIOS.find((candidate) => candidate.name === 'broker-kill-one-of-three')!;
    const result = await runScenario(env, scenario, SHORT, seededRandom(5));
    expectNothingLost(result);
    expect(result.faults).toEqual([
      expect.stringMatching(/node \d SIGKILL/),
      expect.stringMatching(/node \d starting/),
      expect.stringMatching(/node \d back/),
    ]);
    expect(result.requests).toBeGreaterThan(100);
    expect(result.non_2xx).toBeLessThan(0.01 * result.requests);
  }, 120_000);
});
