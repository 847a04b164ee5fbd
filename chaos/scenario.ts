import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultEnvironment } from '../kit/fault-environment.ts';
import { startLoad, type LoadOptions, type LoadResult, type RunningLoad } from './load.ts';
import { startProcessPipeline, type ProcessPipeline, type ProcessPipelineOptions } from '../kit/process-pipeline.ts';
import { reconcile, storedCalls, type Reconciliation } from '../kit/reconcile.ts';
import { steadyDeliveries } from './callbacks.ts';

/**
 * The frame every scenario runs in: start a fresh pipeline, drive the load while the scenario injects
 * its faults, bring every service back, wait until the consumer group caught up, and count.
 */
export interface ScenarioSettings {
  durationMs: number;
  ratePerSecond: number;
  concurrency: number;
  /** How long the group may take to catch up after the load (a restarted broker, a rejoining member). */
  drainTimeoutMs: number;
}

export interface ScenarioContext {
  env: FaultEnvironment;
  pipeline: ProcessPipeline;
  settings: ScenarioSettings;
  /** Ends when the load's duration is over. */
  loadEnd: number;
  note(text: string): void;
  random(): number;
}

export interface Scenario {
  name: string;
  description: string;
  pipeline?: ProcessPipelineOptions;
  load?: Partial<Pick<LoadOptions, 'deliveriesOf' | 'retryGraceMs'>>;
  /** Injects the faults during the load; returns when done (at the latest some time after loadEnd). */
  inject(context: ScenarioContext, load: RunningLoad): Promise<void>;
  /** After the load and the drain, before counting (e.g. redeliver at the Kafka level). */
  afterLoad?(context: ScenarioContext, load: LoadResult): Promise<void>;
  /** Drives the load itself instead (the overload scenario); returns every call it sent. */
  drive?(
    context: ScenarioContext,
    base: Omit<LoadOptions, 'ratePerSecond' | 'concurrency' | 'durationMs'>,
  ): Promise<{ load: LoadResult; extra: Record<string, unknown> }>;
}

/** The load's own counts, as it reported them, and what the count of the stored calls found. */
export interface ScenarioResult extends Omit<LoadResult, 'calls' | 'elapsedMs'>, Reconciliation {
  /** Services found dead that the scenario did not kill. */
  crashed: string[];
  faults: string[];
  elapsedMs: number;
  [extra: string]: unknown;
}

export async function runScenario(
  env: FaultEnvironment,
  scenario: Scenario,
  settings: ScenarioSettings,
  random: () => number,
  onPipeline?: (pipeline: ProcessPipeline) => void,
  logDir?: string,
): Promise<ScenarioResult> {
  const started = Date.now();
  const pipeline = await startProcessPipeline(env, scenario.pipeline);
  onPipeline?.(pipeline);
  const faults: string[] = [];
  try {
    const base = {
      url: `${pipeline.ingress.url}/v1/tenants/${pipeline.tenant.tenantId}/call-records`,
      token: pipeline.tenant.ingestToken,
      retryGraceMs: scenario.load?.retryGraceMs ?? 60_000,
      deliveriesOf: scenario.load?.deliveriesOf ?? steadyDeliveries,
    };
    const context: ScenarioContext = {
      env,
      pipeline,
      settings,
      loadEnd: Date.now() + settings.durationMs,
      note: (text) => faults.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${text}`),
      random,
    };
    let load: LoadResult;
    let extra: Record<string, unknown> = {};
    if (scenario.drive) {
      ({ load, extra } = await scenario.drive(context, base));
    } else {
      const running = startLoad({
        ...base,
        ratePerSecond: settings.ratePerSecond,
        concurrency: settings.concurrency,
        durationMs: settings.durationMs,
      });
      await scenario.inject(context, running);
      load = await running.done;
    }
    const crashed = pipeline
      .services()
      .filter((service) => !service.running() && !service.stoppedOnPurpose())
      .map((service) => service.name);
    await pipeline.waitUntilConsumed(settings.drainTimeoutMs);
    if (scenario.afterLoad) {
      await scenario.afterLoad(context, load);
      await pipeline.waitUntilConsumed(settings.drainTimeoutMs);
    }
    const counted = reconcile(load.calls, await storedCalls(pipeline.pool, pipeline.tenant.tenantId));
    const { calls: _calls, elapsedMs: _elapsed, ...counts } = load;
    return { ...counts, ...counted, crashed, faults, elapsedMs: Date.now() - started, ...extra };
  } finally {
    await pipeline.close();
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      for (const [index, service] of pipeline.services().entries()) {
        writeFileSync(join(logDir, `${scenario.name}.${index}-${service.name}.log`), service.output());
      }
    }
  }
}
