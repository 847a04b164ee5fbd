import { describe, expect, it } from 'vitest';
import { lagFigures, type LagSample } from './consumer-lag.ts';

/** What a scenario reports of the consumer group's lag, on sample series written out by hand. */
const samples = (...pairs: Array<[number, number]>): LagSample[] => pairs.map(([at, lag]) => ({ at, lag }));

describe('consumer lag around a fault', () => {
  it('reports the steady lag before, the peak, the lag at the end and when it was back to the steady lag', () => {
    const series = samples([0, 3], [100, 8], [200, 5], [300, 40], [400, 90], [500, 70], [600, 20], [700, 8], [800, 2]);
    expect(lagFigures(series, { start: 250, end: 550 })).toEqual({
      lag_before_fault: 8,
      max_lag: 90,
      max_lag_at_ms: 150,
      lag_at_fault_end: 20,
      // 700 is the first sample after the end at or below 8.
      lag_recovered_after_ms: 150,
      samples: 9,
    });
  });

  it('says null when the lag never came back, and when no sample came after the end', () => {
    expect(lagFigures(samples([0, 0], [100, 50], [200, 30]), { start: 50, end: 150 })).toMatchObject({
      lag_at_fault_end: 30,
      lag_recovered_after_ms: null,
    });
    expect(lagFigures(samples([0, 0], [100, 50]), { start: 50, end: 150 })).toMatchObject({
      max_lag: 50,
      lag_at_fault_end: null,
      lag_recovered_after_ms: null,
    });
  });
});
