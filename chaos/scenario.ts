import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultEnvironment } from '../kit/fault-environment.ts';
import { availability, type Availability, type FaultWindow } from './availability.ts';
import { startLoad, type Exchange, type LoadOptions, type LoadResult, type RunningLoad } from './load.ts';
import { lookupFigures, startLookups, type LookupFigures, type RunningLookups } from './lookups.ts';
import { startProcessPipeline, type ProcessPipeline, type ProcessPipelineOptions } from '../kit/process-pipeline.ts';
import { addReconciliations, reconcile, storedCalls, type CallOutcome, type Reconciliation } from '../kit/reconcile.ts';
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
  /** Notes the fault and opens its window (availability.ts): the injection. */
  faultStarts(text: string): void;
  /** Notes it and closes the open window: what was broken is back and serving. */
  faultEnds(text: string): void;
  /** Figures of the scenario's own, reported with the counts. */
  report(figures: Record<string, unknown>): void;
  random(): number;
}

export interface Scenario {
  name: string;
  description: string;
  /** The Kafka it needs: one broker (the default) or the three-node cluster of the fault environment. */
  kafkaNodes?: 1 | 3;
  /** The Postgres it needs: the shared server behind the proxy (the default) or a private cluster it may crash. */
  postgres?: 'shared' | 'private';
  /** Lookups at the query service beside the load (chaos/lookups.ts), reported as `lookups`. */
  lookups?: boolean;
  pipeline?: ProcessPipelineOptions;
  load?: Partial<Pick<LoadOptions, 'deliveriesOf' | 'retryGraceMs' | 'requestTimeoutMs'>>;
  /** Injects the faults during the load; returns when done (at the latest some time after loadEnd). */
  inject(context: ScenarioContext, load: RunningLoad): Promise<void>;
  /** After the load and the drain, before counting (e.g. redeliver at the Kafka level). */
  afterLoad?(context: ScenarioContext, load: LoadResult): Promise<void>;
  /** Drives the load itself instead (the overload scenario); returns every call it sent. */
  drive?(
    context: ScenarioContext,
    base: Omit<LoadOptions, 'ratePerSecond' | 'concurrency' | 'durationMs'>,
  ): Promise<{ load: LoadResult; extra: Record<string, unknown>; otherTenants?: TenantCalls[] }>;
}

/** Calls a scenario sent as a tenant other than the pipeline's (tenant-flood's second tenant): counted with the rest. */
export interface TenantCalls {
  tenantId: string;
  calls: CallOutcome[];
}

/** The load's own counts, as it reported them, what the count of the stored calls found, and what the senders saw. */
export interface ScenarioResult extends Omit<LoadResult, 'calls' | 'exchanges' | 'elapsedMs'>, Reconciliation, Availability {
  /** Services found dead that the scenario did not kill. */
  crashed: string[];
  faults: string[];
  elapsedMs: number;
  /** What the lookups beside the load saw, for a scenario with lookups. */
  lookups?: LookupFigures;
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
  if (scenario.postgres === 'private' && !env.postgres) throw new Error(`${scenario.name} needs a private Postgres (postgres: 'private')`);
  const started = Date.now();
  const pipeline = await startProcessPipeline(env, scenario.pipeline);
  onPipeline?.(pipeline);
  const faults: string[] = [];
  const windows: Array<{ start: number; end?: number }> = [];
  let exchanges: Exchange[] = [];
  let lookups: RunningLookups | undefined;
  const figures: Record<string, unknown> = {};
  try {
    const base = {
      url: `${pipeline.ingress.url}/v1/tenants/${pipeline.tenant.tenantId}/call-records`,
      token: pipeline.tenant.ingestToken,
      retryGraceMs: scenario.load?.retryGraceMs ?? 60_000,
      deliveriesOf: scenario.load?.deliveriesOf ?? steadyDeliveries,
      ...(scenario.load?.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: scenario.load.requestTimeoutMs }),
    };
    const context: ScenarioContext = {
      env,
      pipeline,
      settings,
      loadEnd: Date.now() + settings.durationMs,
      note: (text) => faults.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${text}`),
      faultStarts(text) {
        context.note(text);
        windows.push({ start: Date.now() });
      },
      faultEnds(text) {
        context.note(text);
        const open = windows.findLast((window) => window.end === undefined);
        if (open) open.end = Date.now();
      },
      report: (reported) => Object.assign(figures, reported),
      random,
    };
    let load: LoadResult;
    let extra: Record<string, unknown> = {};
    let otherTenants: TenantCalls[] = [];
    if (scenario.drive) {
      ({ load, extra, otherTenants = [] } = await scenario.drive(context, base));
    } else {
      const running = startLoad({
        ...base,
        ratePerSecond: settings.ratePerSecond,
        concurrency: settings.concurrency,
        durationMs: settings.durationMs,
      });
      if (scenario.lookups) {
        lookups = startLookups({
          queryUrl: pipeline.query.url,
          tenantId: pipeline.tenant.tenantId,
          accessToken: pipeline.tenant.accessToken,
          callIds: () => running.calls.filter((call) => call.lastAccepted >= 0).map((call) => call.deliveries[0]!.callId),
          ratePerSecond: 10,
          concurrency: 4,
          requestTimeoutMs: 10_000,
        });
      }
      await scenario.inject(context, running);
      load = await running.done;
    }
    const looked = await lookups?.stop();
    const loadOver = Date.now();
    const crashed = pipeline
      .services()
      .filter((service) => !service.running() && !service.stoppedOnPurpose())
      .map((service) => service.name);
    await pipeline.waitUntilConsumed(settings.drainTimeoutMs);
    if (scenario.afterLoad) {
      await scenario.afterLoad(context, load);
      await pipeline.waitUntilConsumed(settings.drainTimeoutMs);
    }
    let counted = reconcile(load.calls, await storedCalls(pipeline.pool, pipeline.tenant.tenantId));
    for (const other of otherTenants) {
      counted = addReconciliations(counted, reconcile(other.calls, await storedCalls(pipeline.pool, other.tenantId)));
    }
    const { calls: _calls, exchanges: answered, elapsedMs: _elapsed, ...counts } = load;
    exchanges = answered;
    // A fault still open when the load ended lasted, as far as the senders could tell, until then.
    const closed: FaultWindow[] = windows.map((window) => ({ start: window.start, end: window.end ?? loadOver }));
    return {
      ...counts,
      ...counted,
      ...availability(answered, closed),
      crashed,
      faults,
      elapsedMs: Date.now() - started,
      ...(looked ? { lookups: lookupFigures(looked.exchanges, closed, looked.unavailableWithoutRetryAfter) } : {}),
      ...figures,
      ...extra,
    };
  } finally {
    await lookups?.stop();
    await pipeline.close();
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      for (const [index, service] of pipeline.services().entries()) {
        writeFileSync(join(logDir, `${scenario.name}.${index}-${service.name}.log`), service.output());
      }
      // What the senders saw, request by request (ms since the scenario started), to read an outage from.
      const since = (at: number) => at - started;
      writeFileSync(
        join(logDir, `${scenario.name}.requests.json`),
        `${JSON.stringify({
          faultWindows: windows.map((window) => [since(window.start), window.end === undefined ? null : since(window.end)]),
          requests: exchanges.map((exchange) => [since(exchange.sentAt), since(exchange.answeredAt), exchange.status]),
        })}\n`,
      );
    }
  }
}
