import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../kit/seeded-random.ts';
import { startFaultEnvironment } from '../kit/fault-environment.ts';
import { closeHttpClient } from './http-client.ts';
import { runScenario, type ScenarioResult, type ScenarioSettings } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';
import { killAllServices } from '../kit/service-process.ts';

/**
 * npm run chaos [-- --quick] [-- --only name,name] [-- --seed N]: every scenario against a pipeline of
 * real processes, its own Kafka broker and a fresh database each; prints the counts per scenario and
 * writes them to chaos/results/latest.json. Exits 1 if anything was lost, duplicated or crashed.
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

const env = await startFaultEnvironment({ workDir });
// Interrupted: leave no broker or service behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stdout.write(`\n${signal}: stopping the services and the broker\n`);
    void killAllServices()
      .then(() => env.close())
      .finally(() => process.exit(130));
  });
}
const results: Record<string, ScenarioResult> = {};
let failed = false;
try {
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.name))) {
    process.stdout.write(`\n▶ ${scenario.name}: ${scenario.description}\n`);
    try {
      const result = await runScenario(env, scenario, settings, random, undefined, join(resultsDir, 'logs'));
      results[scenario.name] = result;
      const bad = result.lost > 0 || result.duplicated > 0 || result.crashed.length > 0 || result.unavailableWithoutRetryAfter > 0;
      failed ||= bad;
      for (const fault of result.faults) process.stdout.write(`    ${fault}\n`);
      process.stdout.write(
        `  ${bad ? 'FAIL' : 'ok  '} sent ${result.sent}  accepted ${result.accepted}  rejected ${JSON.stringify(result.rejected)}  ` +
          `stored ${result.stored}/${result.acceptedCalls} calls  lost ${result.lost}  duplicated ${result.duplicated}` +
          `${result.crashed.length ? `  crashed ${result.crashed.join(',')}` : ''}  (${(result.elapsedMs / 1000).toFixed(0)} s)\n`,
      );
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
  await env.close();
  closeHttpClient();
  rmSync(workDir, { recursive: true, force: true });
}
process.stdout.write(`\nresults: ${join(resultsDir, 'latest.json')}\n`);
process.exitCode = failed ? 1 : 0;
