import { describe, expect, it } from 'vitest';
import { availability } from './availability.ts';
import type { Exchange } from './load.ts';

/** The availability figures of a chaos scenario, on request timelines written out by hand. */
const exchange = (sentAt: number, answeredAt: number, status: Exchange['status']): Exchange => ({ sentAt, answeredAt, status });

describe('chaos availability', () => {
  it('counts every request answered anything but 2xx, or not at all, and the longest run of them between 2xx answers', () => {
    const exchanges = [
      exchange(0, 10, 200),
      exchange(5, 20, 503),
      exchange(6, 40, 'no-answer'),
      exchange(30, 35, 503),
      exchange(41, 45, 200),
      exchange(50, 60, 500),
      exchange(55, 300, 201),
      exchange(300, 400, 422),
    ];
    // Ordered by answer: 200@10, 503@20, 503@35, no-answer@40, 200@45, 500@60, 201@300, 422@400.
    expect(availability(exchanges, [])).toEqual({
      non_2xx: 5,
      non_2xx_share: 5 / 8,
      longest_outage_ms: 20,
      // From 200@45 to 201@300 (longer than 200@10 to 200@45, or 201@300 to the last answer, 422@400).
      longest_without_2xx_ms: 255,
      p99_ms_during_fault: null,
      max_ms_during_fault: null,
      // Without a window, every 2xx is outside: latencies 10, 4, 245; the p99 of three is the third.
      p99_ms_outside_fault: 245,
      fault_window_ms: 0,
    });
  });

  it('takes the p99 and the maximum over the 2xx answers to requests in flight during a fault window, the p99 by nearest rank', () => {
    // Answered at 1,000 + 2 × index, latency index + 1 ms (1..199).
    const inside = Array.from({ length: 199 }, (_, index) => exchange(1_000 + index - 1, 1_000 + 2 * index, 200));
    const exchanges = [
      ...inside,
      // Sent before a window and answered in it; sent in one and answered after it.
      exchange(500, 3_000, 200),
      exchange(2_900, 3_600, 200),
      // Outside every window, or not a success: not counted, however slow.
      exchange(10, 900, 200),
      exchange(3_600, 6_000, 200),
      exchange(1_100, 3_200, 503),
    ];
    const windows = [
      { start: 1_000, end: 1_400 },
      { start: 3_000, end: 3_500 },
    ];
    // 201 latencies, 1..199, 700 and 2,500: the 199th (ceil(0.99 × 201)) is 199.
    expect(availability(exchanges, windows)).toEqual({
      non_2xx: 1,
      non_2xx_share: 1 / 204,
      longest_outage_ms: 0,
      // From the 200 answered at 3,600 to the one at 6,000 (the 503 at 3,200 falls in an earlier gap).
      longest_without_2xx_ms: 2_400,
      p99_ms_during_fault: 199,
      max_ms_during_fault: 2_500,
      // The two 2xx outside every window: 890 and 2,400.
      p99_ms_outside_fault: 2_400,
      fault_window_ms: 900,
    });
  });
});
