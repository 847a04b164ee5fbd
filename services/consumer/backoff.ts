/**
 * Delay before retry number `attempt` (1 for the first retry): doubles from initialMs up to maxMs, so
 * a short hiccup is retried at once and a long outage is not hammered.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(policy.initialMs * 2 ** exponent, policy.maxMs);
}

/**
 * Waits ms, waking every tickMs to run tick() (the Kafka heartbeat) and to check whether to give up
 * early. Resolves 'elapsed' or 'interrupted'; an error from tick() rejects.
 */
export async function waitWithTicks(
  ms: number,
  options: { tickMs: number; tick: () => Promise<void>; shouldStop: () => boolean },
): Promise<'elapsed' | 'interrupted'> {
  const until = Date.now() + ms;
  for (;;) {
    if (options.shouldStop()) return 'interrupted';
    const left = until - Date.now();
    if (left <= 0) return 'elapsed';
    await new Promise((done) => setTimeout(done, Math.min(left, options.tickMs)));
    await options.tick();
  }
}
