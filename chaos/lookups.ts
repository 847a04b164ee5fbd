import { seededRandom } from '../kit/seeded-random.ts';
import { availability, type FaultWindow } from './availability.ts';
import { get } from './http-client.ts';
import type { Exchange } from './load.ts';

/**
 * A client of the query service beside the senders: GET /v1/calls/{id} of calls already answered 200,
 * at a steady rate, each with a deadline, so a scenario says what its fault cost the lookups as well as
 * the ingest. A 404 is an answer (the consumer may not have written an accepted call yet: that is lag,
 * not the query service failing); what degrades lookups is a 5xx or no answer within the deadline.
 */
export interface LookupOptions {
  queryUrl: string;
  tenantId: string;
  accessToken: string;
  /** The call ids that may be looked up so far; asked again before each lookup. */
  callIds(): readonly string[];
  ratePerSecond: number;
  concurrency: number;
  /** A lookup unanswered this long counts as no answer: a service that hangs. */
  requestTimeoutMs: number;
}

export interface LookupFigures {
  requests: number;
  /** Answers by status (`no-answer` for none within the deadline, a reset or a refused connection). */
  answers: Record<string, number>;
  /** Lookups answered neither 200 nor 404, and their share of the requests. */
  failed: number;
  failed_share: number;
  /** The longest run of failed lookups with no answer between them, from the first's answer to the last's. */
  longest_outage_ms: number;
  /** The longest time between two answered lookups. */
  longest_without_answer_ms: number;
  /** Latency of the answered lookups in flight during a fault window: nearest-rank p99 and maximum. */
  p99_ms_during_fault: number | null;
  max_ms_during_fault: number | null;
  /** The same p99 outside every fault window, to compare with. */
  p99_ms_outside_fault: number | null;
  /** The slowest answer of any lookup, failed or not (no-answer ones count their deadline). */
  max_ms: number;
  /** 503 answers without Retry-After (must stay 0). */
  unavailableWithoutRetryAfter: number;
}

export interface RunningLookups {
  /** Stops sending, waits for the lookups in flight. */
  stop(): Promise<{ exchanges: Exchange[]; unavailableWithoutRetryAfter: number }>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export function startLookups(options: LookupOptions): RunningLookups {
  const exchanges: Exchange[] = [];
  let unavailableWithoutRetryAfter = 0;
  let stopped = false;
  let nextSlot = Date.now();
  const pick = seededRandom(7);
  const headers = { 'x-commubo-tenantid': options.tenantId, 'x-commubo-accesstoken': options.accessToken };

  const looker = async () => {
    while (!stopped) {
      const now = Date.now();
      nextSlot = Math.max(now, nextSlot) + 1_000 / options.ratePerSecond;
      await sleep(nextSlot - 1_000 / options.ratePerSecond - now);
      const ids = options.callIds();
      if (stopped || ids.length === 0) continue;
      const callId = ids[Math.floor(pick() * ids.length)]!;
      const sentAt = Date.now();
      const answer = await get(`${options.queryUrl}/v1/calls/${encodeURIComponent(callId)}`, headers, options.requestTimeoutMs);
      exchanges.push({ sentAt, answeredAt: Date.now(), status: answer.status });
      if (answer.status === 503 && answer.retryAfterSeconds === undefined) unavailableWithoutRetryAfter += 1;
    }
  };
  const running = Promise.all(Array.from({ length: options.concurrency }, looker));
  return {
    async stop() {
      stopped = true;
      await running;
      return { exchanges, unavailableWithoutRetryAfter };
    },
  };
}

const answered = (exchange: Exchange) => exchange.status === 200 || exchange.status === 404;

export function lookupFigures(
  exchanges: readonly Exchange[],
  windows: readonly FaultWindow[],
  unavailableWithoutRetryAfter: number,
): LookupFigures {
  const seen = availability(exchanges, windows, answered);
  const answers: Record<string, number> = {};
  for (const exchange of exchanges) answers[String(exchange.status)] = (answers[String(exchange.status)] ?? 0) + 1;
  return {
    requests: exchanges.length,
    answers,
    failed: seen.non_2xx,
    failed_share: seen.non_2xx_share,
    longest_outage_ms: seen.longest_outage_ms,
    longest_without_answer_ms: seen.longest_without_2xx_ms,
    p99_ms_during_fault: seen.p99_ms_during_fault,
    max_ms_during_fault: seen.max_ms_during_fault,
    p99_ms_outside_fault: seen.p99_ms_outside_fault,
    max_ms: exchanges.reduce((max, exchange) => Math.max(max, exchange.answeredAt - exchange.sentAt), 0),
    unavailableWithoutRetryAfter,
  };
}
