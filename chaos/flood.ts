import { startLoad, type LoadOptions, type LoadResult, type RunningLoad } from './load.ts';

/** What a scenario's drive() is given: everything but the rate, the senders and the duration. */
type BaseLoad = Omit<LoadOptions, 'ratePerSecond' | 'concurrency' | 'durationMs'>;
import type { ScenarioContext } from './scenario.ts';

/**
 * The two halves of an overload scenario: the ingress's saturation, measured with closed-loop senders and
 * no rate for a third of the load's duration, then a flood at a multiple of it.
 */
export interface Saturation {
  /** A third of the load's duration, at least 3 s: the length of each phase. */
  phaseMs: number;
  calibration: LoadResult;
  perSecond: number;
}

export async function measureSaturation(context: ScenarioContext, base: BaseLoad, who = ''): Promise<Saturation> {
  const phaseMs = Math.max(3_000, context.settings.durationMs / 3);
  const calibration = await startLoad({ ...base, ratePerSecond: 1e6, concurrency: 256, durationMs: phaseMs, retryGraceMs: 30_000 }).done;
  const perSecond = calibration.accepted / (calibration.elapsedMs / 1_000);
  context.note(`saturation ≈ ${perSecond.toFixed(0)} callbacks/s${who}`);
  return { phaseMs, calibration, perSecond };
}

/** `multiple` times the saturation for two phases, from call 1,000,000 on. */
export function startFlood(base: BaseLoad, saturation: Saturation, multiple: number): RunningLoad {
  return startLoad({
    ...base,
    firstCall: 1_000_000,
    ratePerSecond: multiple * saturation.perSecond,
    // Enough senders that the offered rate, not their number, limits the load: requests pile up as they would.
    concurrency: 4_000,
    durationMs: 2 * saturation.phaseMs,
    retryGraceMs: 60_000,
    requestTimeoutMs: 30_000,
  });
}
