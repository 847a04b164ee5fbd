import type { FaultWindow } from './availability.ts';

/**
 * The consumer group's lag over a scenario, sampled, and what it says of a fault: how far the group fell
 * behind and how long after the fault it was back to where it was before.
 */
export interface LagSample {
  /** Epoch ms. */
  at: number;
  /** Records on the topic not yet committed by the group. */
  lag: number;
}

export interface LagFigures {
  /** The highest lag sampled before the fault: the steady state the group returns to. */
  lag_before_fault: number;
  max_lag: number;
  /** When the highest lag was sampled, in ms after the fault started. */
  max_lag_at_ms: number;
  /** The first sample at or after the fault's end; null when none was. */
  lag_at_fault_end: number | null;
  /** From the fault's end to the first sample at or below lag_before_fault; null when no sample was. */
  lag_recovered_after_ms: number | null;
  samples: number;
}

export interface LagSampler {
  samples(): readonly LagSample[];
  stop(): Promise<LagSample[]>;
}

/** Reads the lag every everyMs (a failed read, a broker not answering, is skipped). */
export function startLagSampler(read: () => Promise<number>, everyMs: number): LagSampler {
  const samples: LagSample[] = [];
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      const at = Date.now();
      const lag = await read().catch(() => undefined);
      if (lag !== undefined) samples.push({ at, lag });
      await new Promise((done) => setTimeout(done, Math.max(0, at + everyMs - Date.now())));
    }
  })();
  return {
    samples: () => samples,
    async stop() {
      stopped = true;
      await running;
      return samples;
    },
  };
}

export function lagFigures(samples: readonly LagSample[], fault: FaultWindow): LagFigures {
  const before = samples.filter((sample) => sample.at < fault.start);
  const lagBefore = before.reduce((max, sample) => Math.max(max, sample.lag), 0);
  const from = samples.filter((sample) => sample.at >= fault.start);
  const highest = from.reduce<LagSample | undefined>((max, sample) => (!max || sample.lag > max.lag ? sample : max), undefined);
  const atEnd = from.find((sample) => sample.at >= fault.end);
  const recovered = samples.find((sample) => sample.at >= fault.end && sample.lag <= lagBefore);
  return {
    lag_before_fault: lagBefore,
    max_lag: highest?.lag ?? 0,
    max_lag_at_ms: highest ? highest.at - fault.start : 0,
    lag_at_fault_end: atEnd?.lag ?? null,
    lag_recovered_after_ms: recovered ? recovered.at - fault.end : null,
    samples: samples.length,
  };
}
