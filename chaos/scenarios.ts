import { outOfOrderDeliveries } from './callbacks.ts';
import { DATABASE_SCENARIOS } from './database-scenarios.ts';
import { measureSaturation, startFlood } from './flood.ts';
import { mergeLoads } from './merge-loads.ts';
import { republishShuffled } from './redeliver.ts';
import type { Scenario, ScenarioContext } from './scenario.ts';
import { tenantFlood } from './tenant-flood.ts';
import { at, between, sleep } from './timeline.ts';

/**
 * The faults, one scenario each (those of a private Postgres and a slow one in database-scenarios.ts).
 * Times are fractions of the load's duration, so --quick and the full run inject the same story, shorter
 * or longer.
 */

function brokerRestart(signal: NodeJS.Signals): Scenario {
  return {
    name: `broker-${signal.toLowerCase()}-restart`,
    description: `the Kafka broker gets ${signal} under load, stays down 2 s, and starts again on the same data`,
    async inject(context) {
      await at(context, 0.3);
      context.faultStarts(`broker ${signal}`);
      await context.env.restartKafka(signal, 2_000);
      context.faultEnds('broker back');
    },
  };
}

const clusterOf = (context: ScenarioContext) => {
  if (!context.env.cluster) throw new Error('this scenario needs the three-node cluster (kafkaNodes: 3)');
  return context.env.cluster;
};

/** How a node's partitions looked when it was stopped, for the fault timeline. */
async function leadershipNote(context: ScenarioContext): Promise<string> {
  const leaders = await clusterOf(context).partitionLeaders(context.pipeline.topics.callRecords);
  return [...leaders.entries()]
    .sort(([a], [b]) => a - b)
    .map(([node, count]) => `node ${node} leads ${count}`)
    .join(', ');
}

/**
 * A SIGKILLed node stalls every acks=all write for as long as the controller takes to fence it
 * (broker.session.timeout.ms, 9 s by default): until then it is still in the in-sync replicas of every
 * partition it holds. The ingress's default produce deadline (PRODUCE_TIMEOUT_MS, 15 s) is longer; the
 * senders here wait longer still, as senders should (docs/reliability.md, "When the cluster loses a broker").
 */
const onACluster = {
  kafkaNodes: 3,
  load: { requestTimeoutMs: 30_000 },
} satisfies Partial<Scenario>;

const brokerKillOneOfThree: Scenario = {
  name: 'broker-kill-one-of-three',
  description:
    'one node of a three-node cluster (replication factor 3, min.insync.replicas=2), picked at random, SIGKILLed under load, down 5 s, started again on its data',
  ...onACluster,
  async inject(context) {
    const cluster = clusterOf(context);
    await at(context, 0.3);
    const node = cluster.nodes[Math.floor(context.random() * cluster.nodes.length)]!;
    const leadership = await leadershipNote(context);
    context.faultStarts(`node ${node.id} SIGKILL (call-records partitions: ${leadership})`);
    await node.stop('SIGKILL');
    await sleep(5_000);
    context.note(`node ${node.id} starting`);
    await node.start();
    context.faultEnds(`node ${node.id} back (${await leadershipNote(context)})`);
  },
};

const leaderSigterm: Scenario = {
  name: 'leader-sigterm',
  description:
    'the node leading most call-records partitions of a three-node cluster gets SIGTERM (a controlled shutdown: its leadership moves first), stays down 2 s, starts again',
  ...onACluster,
  async inject(context) {
    const cluster = clusterOf(context);
    await at(context, 0.3);
    const leadership = await leadershipNote(context);
    const node = await cluster.leaderOfMostPartitions(context.pipeline.topics.callRecords);
    context.faultStarts(`node ${node.id} SIGTERM (call-records partitions: ${leadership})`);
    await node.stop('SIGTERM');
    context.note(`node ${node.id} stopped`);
    await sleep(2_000);
    await node.start();
    context.faultEnds(`node ${node.id} back (${await leadershipNote(context)})`);
  },
};

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
      context.faultStarts(`postgres down (${terminated} backends terminated)`);
      await sleep(3_000);
      context.env.proxy.restore();
      context.faultEnds('postgres back');
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
      context.faultStarts('consumer SIGKILL');
      await consumer!.restart();
      context.faultEnds('consumer back');
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
      context.faultStarts('ingress SIGKILL');
      await sleep(500);
      await ingress.restart();
      context.faultEnds('ingress back');
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
    context.faultStarts('second consumer left (SIGTERM)');
    await at(context, 0.55);
    await second.restart();
    context.faultEnds('second consumer joined again');
    await at(context, 0.8);
    await second.stop('SIGKILL');
    // Open until the load ends: the group notices only after its session timeout.
    context.faultStarts('second consumer SIGKILLed');
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
    const measured = await measureSaturation(context, base);
    const { phaseMs: phase, calibration, perSecond: saturation } = measured;
    const overloaded = startFlood(base, measured, 3);
    const overloadStart = Date.now();
    context.faultStarts('3x phase');
    await sleep(phase);
    const during = overloaded.drainAnswers();
    const offered = Object.values(during).reduce((sum, n) => sum + n, 0) / ((Date.now() - overloadStart) / 1_000);
    context.faultEnds(`3x phase over: answers ${JSON.stringify(during)}`);
    overloaded.setRate(0.3 * saturation);
    await sleep(phase / 2);
    overloaded.drainAnswers();
    await sleep(phase / 2);
    const recovered = overloaded.drainAnswers();
    context.note(`0.3x phase (second half) answers ${JSON.stringify(recovered)}`);
    const load = await overloaded.done;
    const recoveredTotal = Object.values(recovered).reduce((sum, n) => sum + n, 0);
    return {
      load: mergeLoads(calibration, load),
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

export const SCENARIOS: Scenario[] = [
  brokerRestart('SIGTERM'),
  brokerRestart('SIGKILL'),
  brokerKillOneOfThree,
  leaderSigterm,
  postgresRestart,
  consumerKills,
  ingressKills,
  rebalances,
  redelivery,
  overload,
  tenantFlood,
  ...DATABASE_SCENARIOS,
];
