import { outOfOrderDeliveries } from './callbacks.ts';
import { startLoad } from './load.ts';
import { republishShuffled } from './redeliver.ts';
import type { Scenario, ScenarioContext } from './scenario.ts';

/**
 * The faults, one scenario each. Times are fractions of the load's duration, so --quick and the full
 * run inject the same story, shorter or longer.
 */
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const at = async (context: ScenarioContext, fraction: number) =>
  sleep(Math.max(0, context.loadEnd - context.settings.durationMs * (1 - fraction) - Date.now()));
const between = (context: ScenarioContext, min: number, max: number) => min + context.random() * (max - min);

function brokerRestart(signal: NodeJS.Signals): Scenario {
  return {
    name: `broker-${signal.toLowerCase()}-restart`,
    description: `the Kafka broker gets ${signal} under load, stays down 2 s, and starts again on the same data`,
    async inject(context) {
      await at(context, 0.3);
      context.note(`broker ${signal}`);
      await context.env.restartKafka(signal, 2_000);
      context.note('broker back');
    },
  };
}

const postgresRestart: Scenario = {
  name: 'postgres-restart',
  description:
    "twice: every connection to Postgres cut at the proxy and the services' backends terminated (pg_terminate_backend), 3 s without Postgres, then back",
  async inject(context) {
    for (const fraction of [0.25, 0.6]) {
      await at(context, fraction);
      // As a restart: the server ends its backends (57P01), then refuses connections until it is back.
      const terminated = await context.env.terminateBackends(context.pipeline.database);
      context.env.proxy.cut();
      context.note(`postgres down (${terminated} backends terminated)`);
      await sleep(3_000);
      context.env.proxy.restore();
      context.note('postgres back');
    }
  },
};

const consumerKills: Scenario = {
  name: 'consumer-sigkill',
  description: 'the consumer SIGKILLed at random points (every 1-4 s of its life) and started again at once',
  async inject(context) {
    const [consumer] = context.pipeline.consumers;
    while (Date.now() < context.loadEnd) {
      await sleep(between(context, 1_000, 4_000));
      await consumer!.stop('SIGKILL');
      context.note('consumer SIGKILL');
      await consumer!.restart();
    }
  },
};

const ingressKills: Scenario = {
  name: 'ingress-sigkill',
  description: 'the ingress SIGKILLed under load every 2-5 s, down 0.5 s, started again; senders retry what got no answer',
  async inject(context) {
    const { ingress } = context.pipeline;
    while (Date.now() < context.loadEnd - 1_000) {
      await sleep(between(context, 2_000, 5_000));
      await ingress.stop('SIGKILL');
      context.note('ingress SIGKILL');
      await sleep(500);
      await ingress.restart();
    }
  },
};

const rebalances: Scenario = {
  name: 'consumer-rebalance',
  description: 'a second consumer joins, leaves (SIGTERM), joins again and is SIGKILLed: four rebalances under load',
  async inject(context) {
    await at(context, 0.15);
    const second = await context.pipeline.addConsumer();
    context.note('second consumer joined');
    await at(context, 0.4);
    await second.stop('SIGTERM');
    context.note('second consumer left (SIGTERM)');
    await at(context, 0.55);
    await second.restart();
    context.note('second consumer joined again');
    await at(context, 0.8);
    await second.stop('SIGKILL');
    context.note('second consumer SIGKILLed');
  },
};

const redelivery: Scenario = {
  name: 'redelivery-out-of-order',
  description:
    'each call delivered 3-6 times over HTTP, versions shuffled (older after newer, repeats); then every record on the topic published again in a random order',
  load: { deliveriesOf: outOfOrderDeliveries(7) },
  async inject() {},
  async afterLoad(context) {
    const count = await republishShuffled(context.env.brokers, context.pipeline.topics.callRecords, context.random);
    context.note(`${count} records republished shuffled`);
  },
};

const overload: Scenario = {
  name: 'overload-3x',
  description:
    'saturation measured with unbounded closed-loop senders, then 3x that rate offered, then 0.3x: must shed with 503 + Retry-After, never crash, and accept again once the load drops',
  // A smaller queue than the default 10,000 so that the senders of one machine can fill it.
  pipeline: { ingressEnv: { MAX_EVENT_LOOP_DELAY_MS: '200', PRODUCE_QUEUE_LIMIT: '500', PRODUCE_TIMEOUT_MS: '2000' } },
  async inject() {},
  async drive(context, base) {
    const phase = Math.max(3_000, context.settings.durationMs / 3);
    const calibration = await startLoad({ ...base, ratePerSecond: 1e6, concurrency: 256, durationMs: phase, retryGraceMs: 30_000 }).done;
    const saturation = calibration.accepted / (calibration.elapsedMs / 1_000);
    context.note(`saturation ≈ ${saturation.toFixed(0)} callbacks/s`);
    const overloaded = startLoad({
      ...base,
      firstCall: 1_000_000,
      ratePerSecond: 3 * saturation,
      // Enough senders that the offered rate, not their number, limits the load: requests pile up as they would.
      concurrency: 4_000,
      durationMs: 2 * phase,
      retryGraceMs: 60_000,
      requestTimeoutMs: 30_000,
    });
    const overloadStart = Date.now();
    await sleep(phase);
    const during = overloaded.drainAnswers();
    const offered = Object.values(during).reduce((sum, n) => sum + n, 0) / ((Date.now() - overloadStart) / 1_000);
    context.note(`3x phase answers ${JSON.stringify(during)}`);
    overloaded.setRate(0.3 * saturation);
    await sleep(phase / 2);
    overloaded.drainAnswers();
    await sleep(phase / 2);
    const recovered = overloaded.drainAnswers();
    context.note(`0.3x phase (second half) answers ${JSON.stringify(recovered)}`);
    const load = await overloaded.done;
    const recoveredTotal = Object.values(recovered).reduce((sum, n) => sum + n, 0);
    return {
      load: {
        ...load,
        sent: load.sent + calibration.sent,
        requests: load.requests + calibration.requests,
        accepted: load.accepted + calibration.accepted,
        rejected: mergeCounts(calibration.rejected, load.rejected),
        unacknowledged: load.unacknowledged + calibration.unacknowledged,
        unavailableWithoutRetryAfter: load.unavailableWithoutRetryAfter + calibration.unavailableWithoutRetryAfter,
        calls: [...calibration.calls, ...load.calls],
      },
      extra: {
        saturationPerSecond: Math.round(saturation),
        offeredPerSecondAt3x: Math.round(offered),
        answersAt3x: during,
        shedAt3x: during['503'] ?? 0,
        answersAfterRecovery: recovered,
        acceptedShareAfterRecovery: recoveredTotal === 0 ? 0 : (recovered['200'] ?? 0) / recoveredTotal,
      },
    };
  },
};

function mergeCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const merged = { ...a };
  for (const [key, value] of Object.entries(b)) merged[key] = (merged[key] ?? 0) + value;
  return merged;
}

export const SCENARIOS: Scenario[] = [
  brokerRestart('SIGTERM'),
  brokerRestart('SIGKILL'),
  postgresRestart,
  consumerKills,
  ingressKills,
  rebalances,
  redelivery,
  overload,
];
