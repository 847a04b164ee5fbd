import { postJson, type PostResult } from './http-client.ts';
import type { RawCallback } from '../kit/callbacks.ts';
import type { CallOutcome } from '../kit/reconcile.ts';

/**
 * Senders that behave like a telephony platform's webhook delivery: each call's deliveries go out in
 * order; a delivery is repeated until it is answered 200 (5xx or no answer: wait, honouring Retry-After,
 * and send it again) or refused with a 4xx. A steady rate across all senders, bounded concurrency.
 * Each call belongs to one sender, so "the last delivery that got a 200" is well defined per call.
 */
export interface LoadOptions {
  url: string;
  token: string;
  /** Requests per second across all senders (retries included). */
  ratePerSecond: number;
  concurrency: number;
  durationMs: number;
  /** After the load ends, how long a delivery still unanswered keeps being retried. */
  retryGraceMs: number;
  deliveriesOf(call: number): RawCallback[];
  firstCall?: number;
  requestTimeoutMs?: number;
  /** Cap on a Retry-After wait (real senders wait the full time; a run has a clock). */
  maxRetryWaitMs?: number;
}

/** One request as its sender saw it: when it left, when its answer (or its failure) came, and what it was. */
export interface Exchange {
  sentAt: number;
  answeredAt: number;
  status: number | 'no-answer';
}

export interface LoadResult {
  /** Deliveries attempted (each counted once, however often it was retried). */
  sent: number;
  requests: number;
  accepted: number;
  /** Non-200 answers by status ("no-answer" for a reset, refused or timed-out connection). */
  rejected: Record<string, number>;
  /** Deliveries given up unanswered when the retry grace ran out. */
  unacknowledged: number;
  /** 503 answers without a Retry-After header (must stay 0). */
  unavailableWithoutRetryAfter: number;
  calls: CallOutcome[];
  /** Every request, first attempts and retries alike, in the order they were answered. */
  exchanges: Exchange[];
  elapsedMs: number;
}

export interface RunningLoad {
  /** Changes the offered rate from now on (the overload scenario's phases). */
  setRate(ratePerSecond: number): void;
  /** Statuses of answers since the last call, for phase-wise observations. */
  drainAnswers(): Record<string, number>;
  /** The calls so far, as they go (what the lookups beside the load may ask for). */
  calls: readonly CallOutcome[];
  done: Promise<LoadResult>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export function startLoad(options: LoadOptions): RunningLoad {
  const started = Date.now();
  const loadEnd = started + options.durationMs;
  const retryEnd = loadEnd + options.retryGraceMs;
  let rate = options.ratePerSecond;
  let nextSlot = started;
  let nextCall = options.firstCall ?? 0;
  const result: LoadResult = {
    sent: 0,
    requests: 0,
    accepted: 0,
    rejected: {},
    unacknowledged: 0,
    unavailableWithoutRetryAfter: 0,
    calls: [],
    exchanges: [],
    elapsedMs: 0,
  };
  let answers: Record<string, number> = {};

  const slot = async () => {
    const now = Date.now();
    nextSlot = Math.max(now, nextSlot) + 1_000 / rate;
    if (nextSlot - 1_000 / rate > now) await sleep(nextSlot - 1_000 / rate - now);
  };

  const deliver = async (body: string): Promise<boolean> => {
    for (let attempt = 0; ; attempt += 1) {
      await slot();
      result.requests += 1;
      const sentAt = Date.now();
      const answer: PostResult = await postJson(
        options.url,
        body,
        { authorization: `Bearer ${options.token}` },
        options.requestTimeoutMs ?? 10_000,
      );
      result.exchanges.push({ sentAt, answeredAt: Date.now(), status: answer.status });
      const status = String(answer.status);
      answers[status] = (answers[status] ?? 0) + 1;
      if (answer.status === 200) return true;
      result.rejected[status] = (result.rejected[status] ?? 0) + 1;
      if (answer.status === 503 && answer.retryAfterSeconds === undefined) result.unavailableWithoutRetryAfter += 1;
      if (
        typeof answer.status === 'number' &&
        answer.status >= 400 &&
        answer.status < 500 &&
        answer.status !== 408 &&
        answer.status !== 429
      ) {
        return false;
      }
      if (Date.now() > retryEnd) {
        result.unacknowledged += 1;
        return false;
      }
      const retryAfterMs = answer.status !== 'no-answer' && answer.retryAfterSeconds !== undefined ? answer.retryAfterSeconds * 1_000 : 0;
      await sleep(Math.min(options.maxRetryWaitMs ?? 1_000, Math.max(retryAfterMs, 50 * 2 ** Math.min(attempt, 4))));
    }
  };

  const sender = async () => {
    while (Date.now() < loadEnd) {
      const outcome: CallOutcome = { call: nextCall++, deliveries: [], lastAccepted: -1, attempted: 0 };
      outcome.deliveries = options.deliveriesOf(outcome.call);
      result.calls.push(outcome);
      for (const [index, delivery] of outcome.deliveries.entries()) {
        if (index > 0 && Date.now() >= loadEnd) break;
        outcome.attempted = index + 1;
        result.sent += 1;
        if (await deliver(JSON.stringify(delivery))) {
          result.accepted += 1;
          outcome.lastAccepted = index;
        }
        // Two deliveries of a call never share a receivedAt millisecond.
        await sleep(2);
      }
    }
  };

  const done = Promise.all(Array.from({ length: options.concurrency }, sender)).then(() => {
    result.elapsedMs = Date.now() - started;
    return result;
  });
  return {
    setRate: (value) => (rate = value),
    drainAnswers() {
      const seen = answers;
      answers = {};
      return seen;
    },
    calls: result.calls,
    done,
  };
}
