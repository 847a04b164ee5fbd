import type { ScenarioContext } from './scenario.ts';

/**
 * When a scenario injects: times are fractions of the load's duration, so --quick and the full run tell
 * the same story, shorter or longer.
 */
export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Waits until that fraction of the load's duration has passed. */
export const at = async (context: ScenarioContext, fraction: number) =>
  sleep(Math.max(0, context.loadEnd - context.settings.durationMs * (1 - fraction) - Date.now()));

/** A number drawn from [min, max) with the run's seeded random. */
export const between = (context: ScenarioContext, min: number, max: number) => min + context.random() * (max - min);
