import type { FastifyBaseLogger } from 'fastify';
import { runRetention, type RetentionResult } from '../../shared/calls/retention-run.ts';
import { errorSummary } from '../../shared/db/errors.ts';
import type { Pool } from '../../shared/db/pool.ts';
import type { RetentionMetrics } from './consumer-metrics.ts';

/**
 * The consumer's periodic retention run (shared/calls/retention-run.ts): every `intervalMs`, counted from
 * the end of the previous run so that runs never overlap, the first one interval after start, so that a
 * consumer that starts (or restarts) spends its first minutes on the backlog. A failed run is logged and
 * counted; the next one is at the next interval.
 */
export interface RetentionJob {
  start(): void;
  /** No new run; a run in progress ends after its current batch. */
  stop(): Promise<void>;
}

export interface RetentionJobOptions {
  db: Pool;
  intervalMs: number;
  metrics: RetentionMetrics;
  log: FastifyBaseLogger;
  batchSize?: number;
}

export function createRetentionJob({ db, intervalMs, metrics, log, batchSize }: RetentionJobOptions): RetentionJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function runOnce(): Promise<void> {
    const startedAt = process.hrtime.bigint();
    try {
      const result: RetentionResult = await runRetention(db, {
        stopped: () => stopped,
        onDeleted: (calls) => metrics.callsDeleted(calls),
        ...(batchSize === undefined ? {} : { batchSize }),
      });
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      metrics.runFinished(result.deletedCalls, seconds);
      log.info({ deletedCalls: result.deletedCalls, tenants: result.tenants.length, seconds }, 'retention run finished');
    } catch (error) {
      metrics.runFailed();
      log.warn({ error: errorSummary(error) }, 'retention run failed; trying again at the next interval');
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(() => {
        running = undefined;
        schedule();
      });
    }, intervalMs);
    // The job alone never keeps the process alive.
    timer.unref();
  }

  return {
    start: () => schedule(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
