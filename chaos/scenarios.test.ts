import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { seededRandom } from '../kit/seeded-random.ts';
import { startFaultEnvironment, type FaultEnvironment } from '../kit/fault-environment.ts';
import type { ProcessPipeline } from '../kit/process-pipeline.ts';
import { runScenario, type ScenarioSettings } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';
import { killAllServices } from '../kit/service-process.ts';
import { expectNothingLost } from './expect-nothing-lost.ts';

/**
 * The short variants of `npm run chaos`, through the same code: real service processes, their own Kafka
 * broker (restarted here), a fresh database, retrying senders, then the reconciliation against Postgres.
 */
const SHORT: ScenarioSettings = { durationMs: 3_000, ratePerSecond: 60, concurrency: 8, drainTimeoutMs: 60_000 };
const scenario = (name: string) => SCENARIOS.find((candidate) => candidate.name === name)!;

let env: FaultEnvironment;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'callstream-chaos-test-'));
  env = await startFaultEnvironment({ workDir, adminUrl: inject('adminDatabaseUrl') });
});

afterAll(async () => {
  await killAllServices();
  await env?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('chaos, short variants', () => {
  it('consumer SIGKILLed under load (services logging at debug): nothing lost, nothing twice, no token in any log', async () => {
    let pipeline!: ProcessPipeline;
    const consumerKills = scenario('consumer-sigkill');
    const result = await runScenario(
      env,
      { ...consumerKills, pipeline: { ...consumerKills.pipeline, logLevel: 'debug' } },
      SHORT,
      seededRandom(1),
      (started) => (pipeline = started),
    );
    expectNothingLost(result);
    expect(result.faults.some((fault) => fault.includes('consumer SIGKILL'))).toBe(true);
    const logs = pipeline
      .services()
      .map((service) => service.output())
      .join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.includes(pipeline.tenant.ingestToken)).toBe(false);
    expect(logs.includes(pipeline.tenant.accessToken)).toBe(false);
  }, 90_000);

  it('broker SIGKILLed and restarted under load: nothing lost, nothing twice', async () => {
    const result = await runScenario(env, scenario('broker-sigkill-restart'), SHORT, seededRandom(2));
    expectNothingLost(result);
    expect(result.faults).toEqual([expect.stringContaining('broker SIGKILL'), expect.stringContaining('broker back')]);
  }, 120_000);

  it('Postgres restarted under load (backends terminated, connections refused): no service crashes on the lost connections, nothing lost', async () => {
    const result = await runScenario(env, scenario('postgres-restart'), SHORT, seededRandom(4));
    expectNothingLost(result);
    expect(result.faults.filter((fault) => fault.includes('postgres down'))).toHaveLength(2);
  }, 90_000);

  it('a private Postgres SIGKILLed under load (crash recovery): nothing lost, nothing twice, every lookup answered or 503, none left hanging', async () => {
    // Its own cluster, which may be killed, beside this file's broker.
    const crashable = await startFaultEnvironment({
      workDir: join(workDir, 'private-postgres'),
      brokers: env.brokers,
      postgres: 'private',
    });
    try {
      const result = await runScenario(crashable, scenario('postgres-sigkill'), SHORT, seededRandom(6));
      expectNothingLost(result);
      expect(result.faults).toEqual([
        expect.stringMatching(/postmaster \(pid \d+\) SIGKILL/),
        expect.stringContaining('postgres down'),
        expect.stringContaining('postgres back: crash recovery replayed'),
      ]);
      expect(result.postgres_start).toMatchObject({ crashRecovery: true });
      const lookups = result.lookups!;
      expect(lookups.answers['503']).toBeGreaterThan(0);
      expect(Object.keys(lookups.answers).filter((status) => !['200', '404', '503'].includes(status))).toEqual([]);
      expect(lookups.unavailableWithoutRetryAfter).toBe(0);
    } finally {
      await crashable.close();
    }
  }, 120_000);

  it('the same callbacks redelivered out of order, over HTTP and on the topic: each call holds its newest delivery once', async () => {
    const result = await runScenario(env, scenario('redelivery-out-of-order'), SHORT, seededRandom(3));
    expectNothingLost(result);
    expect(result.accepted).toBeGreaterThan(result.acceptedCalls);
  }, 90_000);

  it('one tenant floods at 3x saturation while another sends at 5 %: the other gets >= 99 % 2xx, the flood is shed with 503 + Retry-After, nothing lost', async () => {
    const result = await runScenario(env, scenario('tenant-flood'), SHORT, seededRandom(6));
    expectNothingLost(result);
    expect(result.other_tenant_requests).toBeGreaterThan(0);
    expect(result.other_tenant_accepted_ratio).toBeGreaterThanOrEqual(0.99);
    expect(result.flooding_tenant_shed).toBeGreaterThan(0);
    expect(result.queue_share_exceeded).toBeGreaterThan(0);
  }, 90_000);
});
