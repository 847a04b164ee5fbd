import type { FaultWindow } from './availability.ts';
import { lagFigures, startLagSampler } from './consumer-lag.ts';
import type { PrivatePostgres, StartReport } from '../kit/private-postgres.ts';
import { seededRandom } from '../kit/seeded-random.ts';
import type { Scenario, ScenarioContext } from './scenario.ts';
import { at, sleep } from './timeline.ts';

/**
 * Postgres failing for real, on a private cluster of the run's own (the shared server is never stopped),
 * and Postgres slow rather than down, through the proxy. Each runs lookups beside the load and samples
 * the consumer group's lag, so it reports what the fault cost the ingest, the lookups and the consumer.
 */
const privatePostgresOf = (context: ScenarioContext): PrivatePostgres => {
  if (!context.env.postgres) throw new Error("this scenario needs a private Postgres (postgres: 'private')");
  return context.env.postgres;
};

/** Samples the group's lag around the fault, until it is back where it was before (or the load is over), and reports it. */
async function measuringLag(context: ScenarioContext, fault: () => Promise<FaultWindow>): Promise<void> {
  const sampler = startLagSampler(() => context.pipeline.lag(), 250);
  try {
    const window = await fault();
    while (Date.now() < context.loadEnd && lagFigures(sampler.samples(), window).lag_recovered_after_ms === null) await sleep(250);
    context.report({ consumer_lag: lagFigures(await sampler.stop(), window) });
  } finally {
    await sampler.stop();
  }
}

const started = (report: StartReport) =>
  report.crashRecovery
    ? `crash recovery replayed ${((report.walReplayedBytes ?? 0) / 1024).toFixed(0)} kB of WAL in ${report.redoMs ?? '?'} ms, accepting queries ${report.readyAfterMs} ms after the start`
    : `a clean start, accepting queries ${report.readyAfterMs} ms after it`;

type Stop = 'SIGKILL' | 'immediate' | 'fast';

/** The postmaster stopped that way under load at 30 % of it, down downMs, started again on the same data. */
function privatePostgresRestart(name: string, stop: Stop, downMs: number, description: string): Scenario {
  return {
    name,
    description,
    postgres: 'private',
    lookups: true,
    async inject(context) {
      const server = privatePostgresOf(context);
      try {
        await measuringLag(context, async () => {
          await at(context, 0.3);
          const start = Date.now();
          if (stop === 'SIGKILL') {
            context.faultStarts(`postmaster (pid ${server.pid()}) SIGKILL`);
            await server.kill();
          } else {
            context.faultStarts(`pg_ctl stop -m ${stop}`);
            await server.stop(stop);
          }
          context.note(`postgres down after ${Date.now() - start} ms`);
          await sleep(downMs);
          const report = await server.start();
          context.report({ postgres_start: report });
          context.faultEnds(`postgres back: ${started(report)}`);
          return { start, end: Date.now() };
        });
      } finally {
        // The next scenario on this cluster needs it up, whatever failed here.
        if (server.pid() === undefined) await server.start();
      }
    },
  };
}

const postgresSigkill = privatePostgresRestart(
  'postgres-sigkill',
  'SIGKILL',
  2_000,
  'the postmaster of a private Postgres SIGKILLed under load (no shutdown, no checkpoint; its backends exit as orphans), down 2 s, started again: crash recovery replays the WAL',
);

const postgresImmediateStop = privatePostgresRestart(
  'postgres-immediate-stop',
  'immediate',
  2_000,
  'a private Postgres stopped with pg_ctl stop -m immediate under load (backends killed, no checkpoint), down 2 s, started again: crash recovery',
);

const postgresRestartReal = privatePostgresRestart(
  'postgres-restart-real',
  'fast',
  0,
  'a private Postgres restarted cleanly under load: pg_ctl stop -m fast (sessions ended, transactions rolled back, a shutdown checkpoint), then started at once',
);

const slowDatabase: Scenario = {
  name: 'slow-database',
  description:
    'for a third of the load (20 s of the full run), 50-200 ms added to each round trip between the services and Postgres (the proxy holds every chunk towards the server that long, in order)',
  lookups: true,
  async inject(context) {
    try {
      await measuringLag(context, async () => {
        await at(context, 0.3);
        // A sequence of its own: how many chunks pass depends on timing, and must not shift the run's other draws.
        const jitter = seededRandom(Math.floor(context.random() * 2 ** 32));
        context.env.proxy.delay(() => 50 + 150 * jitter());
        const start = Date.now();
        context.faultStarts('50-200 ms added per round trip to Postgres');
        await at(context, 0.3 + 1 / 3);
        context.env.proxy.delay(undefined);
        context.faultEnds('no latency added any more');
        return { start, end: Date.now() };
      });
    } finally {
      context.env.proxy.delay(undefined);
    }
  },
};

export const DATABASE_SCENARIOS: Scenario[] = [postgresSigkill, postgresImmediateStop, postgresRestartReal, slowDatabase];
