import type { Exchange } from './load.ts';

/**
 * What the senders saw of the service while a fault lasted, beside lost and duplicated (which say
 * whether a 200 kept its promise): how many requests failed, how long the longest unbroken failure was,
 * and how slow the successes were inside the fault windows.
 */
export interface FaultWindow {
  /** Epoch ms: when the fault was injected. */
  start: number;
  /** Epoch ms: when what was broken is back and serving. */
  end: number;
}

export interface Availability {
  /** Requests (first attempts and retries, as `requests` counts them) answered anything but 2xx, or not at all. */
  non_2xx: number;
  /** non_2xx / requests. */
  non_2xx_share: number;
  /** The longest run of non-2xx answers with no 2xx between them, from the first's answer to the last's. */
  longest_outage_ms: number;
  /**
   * The longest time between two 2xx answers (or from the last one to the last answer): an outage in which
   * requests hang rather than fail has no non-2xx run, but it has this.
   */
  longest_without_2xx_ms: number;
  /**
   * Nearest-rank p99 of the latency of the 2xx answers to requests in flight at some moment of a fault
   * window (sent before its end, answered after its start); null without a window.
   */
  p99_ms_during_fault: number | null;
  /** The slowest of those answers: the requests held through a stall are few beside the rest. */
  max_ms_during_fault: number | null;
  /** The same p99 over the 2xx answers to requests in flight during no window, to compare with; null without any. */
  p99_ms_outside_fault: number | null;
  /** How long the fault windows lasted in all. */
  fault_window_ms: number;
}

const isSuccess = (exchange: Exchange) => typeof exchange.status === 'number' && exchange.status >= 200 && exchange.status < 300;

/** succeeded: what counts as served (a 2xx unless given; a lookup's 404 is an answer too). */
export function availability(
  exchanges: readonly Exchange[],
  windows: readonly FaultWindow[],
  succeeded: (exchange: Exchange) => boolean = isSuccess,
): Availability {
  const answered = [...exchanges].sort((a, b) => a.answeredAt - b.answeredAt);
  let failed = 0;
  let longest = 0;
  let runStart: number | undefined;
  let lastSuccess: number | undefined;
  let longestWithout = 0;
  for (const exchange of answered) {
    if (succeeded(exchange)) {
      if (lastSuccess !== undefined) longestWithout = Math.max(longestWithout, exchange.answeredAt - lastSuccess);
      lastSuccess = exchange.answeredAt;
      runStart = undefined;
      continue;
    }
    failed += 1;
    runStart ??= exchange.answeredAt;
    longest = Math.max(longest, exchange.answeredAt - runStart);
  }
  const lastAnswer = answered.at(-1)?.answeredAt;
  if (lastSuccess !== undefined && lastAnswer !== undefined) longestWithout = Math.max(longestWithout, lastAnswer - lastSuccess);
  const duringFault = (exchange: Exchange) =>
    windows.some((window) => exchange.sentAt <= window.end && exchange.answeredAt >= window.start);
  const latenciesOf = (inFault: boolean) =>
    answered
      .filter((exchange) => succeeded(exchange) && duringFault(exchange) === inFault)
      .map((exchange) => exchange.answeredAt - exchange.sentAt)
      .sort((a, b) => a - b);
  const p99 = (sorted: number[]) => (sorted.length === 0 ? null : sorted[Math.ceil(0.99 * sorted.length) - 1]!);
  const latencies = latenciesOf(true);
  return {
    non_2xx: failed,
    non_2xx_share: answered.length === 0 ? 0 : failed / answered.length,
    longest_outage_ms: longest,
    longest_without_2xx_ms: longestWithout,
    p99_ms_during_fault: p99(latencies),
    max_ms_during_fault: latencies.length === 0 ? null : latencies[latencies.length - 1]!,
    p99_ms_outside_fault: p99(latenciesOf(false)),
    fault_window_ms: windows.reduce((sum, window) => sum + (window.end - window.start), 0),
  };
}
