import type { Lab } from '../lab/lab.ts';
import { startPipeline } from '../lab/pipeline.ts';
import { runsStage } from '../options.ts';
import type { BenchResults } from '../results.ts';
import { runConsumerStage, type ConsumerStageOutput } from './consumer.ts';
import { runFreshnessStage } from './freshness.ts';
import { runGrowthStage } from './growth.ts';
import { runIngressStage, type IngressStageOutput } from './ingress.ts';
import { runKafkaStage } from './kafka.ts';
import { runQueryStage } from './query.ts';

/**
 * The stages in order. Freshness and query need the ingress's saturation (for "50% load") and the calls
 * the consumer stage stored; growth needs the consumer stage's topic. A stage asked for alone brings
 * what it needs.
 */
type StageResults = Omit<BenchResults, 'machine'>;

export async function runStages(lab: Lab, workDir: string, say: (line: string) => void): Promise<StageResults> {
  const { options } = lab;
  const wants = {
    ingress: runsStage(options, 'ingress'),
    kafka: runsStage(options, 'kafka'),
    consumer: runsStage(options, 'consumer'),
    freshness: runsStage(options, 'freshness'),
    query: runsStage(options, 'query'),
    growth: runsStage(options, 'growth'),
  };
  const needsIngress = wants.ingress || wants.freshness || wants.query;
  const needsConsumer = wants.consumer || wants.query || wants.growth;
  const results: StageResults = { ingress: null, kafka: null, consumer: null, freshness: null, query: null, growth: null };
  const began = performance.now();
  const step = (line: string) => say(`[${Math.round((performance.now() - began) / 1000)} s] ${line}`);

  let ingress: IngressStageOutput | undefined;
  if (needsIngress) {
    step('ingress: bare Fastify baseline, then the ingress, saturated; then the ingress at 50%');
    ingress = await runIngressStage(lab);
    if (wants.ingress) results.ingress = ingress.result;
  }
  if (wants.kafka) {
    step('kafka: producer perf tool, acks=all');
    results.kafka = (await runKafkaStage(lab, ingress?.result.rps ?? undefined));
  }
  let consumer: ConsumerStageOutput | undefined;
  if (needsConsumer) {
    step(`consumer: pre-filling ${options.consumerCalls} callbacks, draining them, then COPY of the same rows`);
    consumer = await runConsumerStage(lab, workDir);
    if (wants.consumer) results.consumer = consumer.result;
  }
  if (wants.freshness || wants.query) {
    step('pipeline: ingress, consumer and query running together');
    const pipeline = await startPipeline(lab);
    try {
      if (wants.freshness) {
        step(`freshness: ingest at ${Math.round(ingress!.halfRate)} cb/s, polling the query service`);
        results.freshness = (await runFreshnessStage(lab, pipeline, ingress!.halfRate));
      }
      if (wants.query) {
        step('query: saturated, at 50%, pgbench, and at 50% under ingest');
        results.query = (await runQueryStage(lab, pipeline, { prefix: consumer!.prefix, count: options.consumerCalls }, ingress!.halfRate));
      }
    } finally {
      await pipeline.stop();
    }
  }
  if (wants.growth) {
    step(`growth: at 0 and at ${options.growthCalls} stored calls`);
    // The query stage's 50% rate when it ran; otherwise a moderate fixed rate.
    const queryRate = results.query?.rate_at_half_load ?? 200;
    results.growth = await runGrowthStage(lab, consumer!, queryRate, step);
  }
  step('done');
  return results;
}
