import { describe, expect, it } from 'vitest';
import type { Exchange } from './load.ts';
import { lookupFigures } from './lookups.ts';

/** What a scenario reports of the lookups beside its load, on a timeline written out by hand. */
const exchange = (sentAt: number, answeredAt: number, status: Exchange['status']): Exchange => ({ sentAt, answeredAt, status });

describe('lookup figures', () => {
  it('counts a 404 as an answer and a 5xx or no answer as a failure, with the outage and the latencies in the fault', () => {
    const exchanges = [
      exchange(0, 10, 200),
      exchange(100, 104, 404),
      exchange(200, 203, 503),
      exchange(300, 302, 503),
      exchange(350, 10_350, 'no-answer'),
      exchange(400, 405, 503),
      exchange(500, 560, 200),
      exchange(600, 650, 200),
    ];
    // In answer order: 200@10, 404@104, 503@203, 503@302, 503@405, 200@560, 200@650, no-answer@10350.
    expect(lookupFigures(exchanges, [{ start: 150, end: 550 }], 1)).toEqual({
      requests: 8,
      answers: { 200: 3, 404: 1, 503: 3, 'no-answer': 1 },
      failed: 4,
      failed_share: 0.5,
      longest_outage_ms: 405 - 203,
      longest_without_answer_ms: 10_350 - 650,
      // Answered and in flight during the window: only 200 sent at 500.
      p99_ms_during_fault: 60,
      max_ms_during_fault: 60,
      // Answered outside it: 10, 4, 50 ms.
      p99_ms_outside_fault: 50,
      max_ms: 10_000,
      unavailableWithoutRetryAfter: 1,
    });
  });
});
