import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../kit/seeded-random.ts';
import { startFaultEnvironment, type FaultEnvironment } from '../kit/fault-environment.ts';
import { closeHttpClient } from './http-client.ts';
import { runScenario, type ScenarioResult, type ScenarioSettings } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';
import { killAllServices } from '../kit/service-process.ts';

/**
 * npm run chaos [-- --quick] [-- --only name,name] [-- --seed N]: every scenario against a pipeline of
 * real processes, its own Kafka (one broker, or a three-node cluster for the scenarios that stop a node
 * of one) and a fresh database each (on the shared Postgres, or on a private cluster of the run's own for
 * the scenarios that crash it); prints the counts and the availability per scenario and writes them
 * to chaos/results/latest.json. Exits 1 if anything was lost, duplicated or crashed.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const only = option('--only')?.split(',');
const seed = Number(option('--seed') ?? Date.now() % 100_000);
const settings: ScenarioSettings = quick
  ? { durationMs: 15_000, ratePerSecond: 120, concurrency: 16, drainTimeoutMs: 120_000 }
  : { durationMs: 60_000, ratePerSecond: 200, concurrency: 32, drainTimeoutMs: 180_000 };

const resultsDir = new URL('./results/', import.meta.url).pathname;
mkdirSync(resultsDir, { recursive: true });
const workDir = mkdtempSync(join(tmpdir(), 'callstream-chaos-'));
const random = seededRandom(seed);
process.stdout.write(`chaos run: ${quick ? 'quick' : 'full'}, seed ${seed}, ${settings.durationMs / 1000} s of load per scenario\n`);

// One environment per kind of Kafka, started when the first scenario needing it comes up; the private
// Postgres is one more, which borrows the single broker.
const environments = new Map<string, Promise<FaultEnvironment>>();
const environmentFor = (kafkaNodes: 1 | 3, postgres: 'shared' | 'private' = 'shared'): Promise<FaultEnvironment> => {
  const key = postgres === 'private' ? 'private-postgres' : `kafka-nodes-${kafkaNodes}`;
  if (!environments.has(key)) {
    const started =
      postgres === 'private'
        ? environmentFor(kafkaNodes).then(({ brokers }) => startFaultEnvironment({ workDir: join(workDir, key), brokers, postgres }))
        : startFaultEnvironment({ workDir: join(workDir, key), kafkaNodes });
    environments.set(key, started);
  }
  return environments.get(key)!;
};
const closeEnvironments = () =>
  Promise.allSettled([...environments.values()].map((started) => started.then((env) => env.close()))).then(() => undefined);
// Interrupted: leave no broker or service behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stdout.write(`\n${signal}: stopping the services, the brokers and the private Postgres\n`);
    // The scenario in progress may still hold connections the stop cuts: no reason to die before the cleanup.
    process.on('uncaughtException', (error) => process.stdout.write(`  (while stopping: ${error.message})\n`));
    void killAllServices()
      .then(closeEnvironments)
      .finally(() => {
        rmSync(workDir, { recursive: true, force: true });
        process.exit(130);
      });
  });
}
const results: Record<string, ScenarioResult> = {};
let failed = false;
try {
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.name))) {
    process.stdout.write(`\n▶ ${scenario.name}: ${scenario.description}\n`);
    try {
      const env = await environmentFor(scenario.kafkaNodes ?? 1, scenario.postgres);
      const result = await runScenario(env, scenario, settings, random, undefined, join(resultsDir, 'logs'));
      results[scenario.name] = result;
      // tenant-flood: the tenant that did not flood must have been served.
      const starved = typeof result.other_tenant_accepted_ratio === 'number' && result.other_tenant_accepted_ratio < 0.99;
      // A lookup unanswered within its deadline is the query service hanging.
      const lookupsBad =
        result.lookups !== undefined && (result.lookups.unavailableWithoutRetryAfter > 0 || 'no-answer' in result.lookups.answers);
      const bad =
        result.lost > 0 || result.duplicated > 0 || result.crashed.length > 0 || result.unavailableWithoutRetryAfter > 0 || lookupsBad;
      failed ||= bad || starved;
      for (const fault of result.faults) process.stdout.write(`    ${fault}\n`);
      process.stdout.write(
        `  ${bad || starved ? 'FAIL' : 'ok  '} sent ${result.sent}  accepted ${result.accepted}  rejected ${JSON.stringify(result.rejected)}  ` +
          `stored ${result.stored}/${result.acceptedCalls} calls  lost ${result.lost}  duplicated ${result.duplicated}` +
          `${result.crashed.length ? `  crashed ${result.crashed.join(',')}` : ''}  (${(result.elapsedMs / 1000).toFixed(0)} s)\n`,
      );
      process.stdout.write(
        `       requests ${result.requests}  non-2xx ${result.non_2xx} (${(100 * result.non_2xx_share).toFixed(2)} %)  ` +
          `longest outage ${result.longest_outage_ms} ms (without a 2xx: ${result.longest_without_2xx_ms} ms)  during the fault: p99 ${result.p99_ms_during_fault ?? '-'} ms, max ${result.max_ms_during_fault ?? '-'} ms ` +
          `(fault windows ${(result.fault_window_ms / 1000).toFixed(1)} s; outside them p99 ${result.p99_ms_outside_fault ?? '-'} ms)\n`,
      );
      if (result.lookups) {
        const { lookups } = result;
        process.stdout.write(
          `       lookups ${lookups.requests}  answers ${JSON.stringify(lookups.answers)}  failed ${lookups.failed}  ` +
            `longest outage ${lookups.longest_outage_ms} ms (without an answer: ${lookups.longest_without_answer_ms} ms)  ` +
            `during the fault: p99 ${lookups.p99_ms_during_fault ?? '-'} ms, max ${lookups.max_ms_during_fault ?? '-'} ms (outside: p99 ${lookups.p99_ms_outside_fault ?? '-'} ms)  slowest ${lookups.max_ms} ms\n`,
        );
      }
      if (result.consumer_lag) process.stdout.write(`       consumer lag ${JSON.stringify(result.consumer_lag)}\n`);
      if (typeof result.other_tenant_accepted_ratio === 'number') {
        process.stdout.write(
          `       tenant B: ${result.other_tenant_requests} requests, accepted ratio ${result.other_tenant_accepted_ratio.toFixed(4)}, ` +
            `p99 ${result.other_tenant_p99_ms} ms, max ${result.other_tenant_max_ms} ms; tenant A shed ${result.flooding_tenant_shed} ` +
            `(${JSON.stringify(result.flooding_tenant_answers)}), queue share refusals ${result.queue_share_exceeded}\n`,
        );
      }
      for (const problem of result.problems) process.stdout.write(`    ! ${problem}\n`);
    } catch (error) {
      failed = true;
      results[scenario.name] = { error: String(error) } as unknown as ScenarioResult;
      process.stdout.write(`  FAIL ${String(error)}\n`);
    }
    writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  }
} finally {
  await killAllServices();
  await closeEnvironments();
  closeHttpClient();
  // The brokers' own logs (leader elections, fencing) and the private Postgres's go with the services' logs.
  mkdirSync(join(resultsDir, 'logs'), { recursive: true });
  for (const file of readdirSync(workDir, { recursive: true, encoding: 'utf8' })) {
    if (/(^|\/)(kafka(-\d+)?|postgres)\.log$/.test(file))
      copyFileSync(join(workDir, file), join(resultsDir, 'logs', file.replaceAll('/', '.')));
  }
  rmSync(workDir, { recursive: true, force: true });
}
process.stdout.write(`\nresults: ${join(resultsDir, 'latest.json')}\n`);
process.exitCode = failed ? 1 : 0;
