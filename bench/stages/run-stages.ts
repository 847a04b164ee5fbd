import type { Lab } from '../lab/lab.ts';
import { startPipeline } from '../lab/pipeline.ts';
import { runsStage, type StageName } from '../options.ts';
import type { BenchResults } from '../results.ts';
import { runConsumerStage, type ConsumerStageOutput } from './consumer.ts';
import { runFreshnessStage } from './freshness.ts';
import { runGrowthStage } from './growth.ts';
import { runIngressStage, type IngressStageOutput } from './ingress.ts';
import { runKafkaStage } from './kafka.ts';
import { runQueryStage } from './query.ts';

/**
 * The stages in order. Freshness and query need the ingress's saturation (for "50% load") and the calls
 * the consumer stage stored; growth needs the consumer stage's rows. A stage asked for alone brings
 * what it needs. A stage that fails is reported and left out; the others still run and are written.
 */
export type StageResults = Omit<BenchResults, 'machine'>;

export interface StagesOutcome {
  results: StageResults;
  /** Stage → why it has no result. */
  failures: Record<string, string>;
}

export async function runStages(lab: Lab, workDir: string, say: (line: string) => void): Promise<StagesOutcome> {
  const { options } = lab;
  const wants = (stage: StageName) => runsStage(options, stage);
  const results: StageResults = { ingress: null, kafka: null, consumer: null, freshness: null, query: null, growth: null };
  const failures: Record<string, string> = {};
  const began = performance.now();
  const step = (line: string) => say(`[${Math.round((performance.now() - began) / 1000)} s] ${line}`);
  const attempt = async <T>(stage: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      failures[stage] = (error as Error).message;
      step(`${stage} failed: ${(error as Error).stack ?? String(error)}`);
      return undefined;
    }
  };
  const skip = (stage: StageName, missing: string) => {
    if (wants(stage)) failures[stage] ??= `not run: ${missing} failed`;
  };

  let ingress: IngressStageOutput | undefined;
  if (wants('ingress') || wants('freshness') || wants('query')) {
    step('ingress: bare Fastify baseline, then the ingress, saturated; then both at 50%');
    ingress = await attempt('ingress', () => runIngressStage(lab));
    if (wants('ingress') && ingress) results.ingress = ingress.result;
  }
  if (wants('kafka')) {
    step('kafka: producer perf tool, acks=all');
    results.kafka = (await attempt('kafka', () => runKafkaStage(lab, ingress?.result.rps ?? undefined))) ?? null;
  }
  let consumer: ConsumerStageOutput | undefined;
  if (wants('consumer') || wants('query') || wants('growth')) {
    step(`consumer: pre-filling ${options.consumerCalls} callbacks, draining them, then COPY of the same rows`);
    consumer = await attempt('consumer', () => runConsumerStage(lab, workDir));
    if (wants('consumer') && consumer) results.consumer = consumer.result;
  }
  if (!ingress) skip('freshness', 'ingress');
  if (!ingress || !consumer) skip('query', ingress ? 'consumer' : 'ingress');
  if ((wants('freshness') || wants('query')) && ingress) {
    step('pipeline: ingress, consumer and query running together');
    const pipeline = await attempt('pipeline', () => startPipeline(lab));
    if (pipeline) {
      try {
        if (wants('freshness')) {
          step(`freshness: ingest at ${Math.round(ingress.halfRate)} cb/s, watching for the calls on the query service`);
          results.freshness = (await attempt('freshness', () => runFreshnessStage(lab, pipeline, ingress.halfRate))) ?? null;
        }
        if (wants('query') && consumer) {
          step('query: saturated, at 50%, pgbench, and at 50% under ingest at 25% of the ingress');
          const calls = { prefix: consumer.prefix, count: options.consumerCalls };
          results.query = (await attempt('query', () => runQueryStage(lab, pipeline, calls, ingress.halfRate / 2, workDir))) ?? null;
        }
      } finally {
        await pipeline.stop();
      }
    }
  }
  if (!consumer) skip('growth', 'consumer');
  if (wants('growth') && consumer) {
    step(`growth: at 0 and at ${options.growthCalls} stored calls`);
    // The query stage's 50% rate when it ran; otherwise a moderate fixed rate.
    const queryRate = results.query?.rate_at_half_load ?? 200;
    results.growth = (await attempt('growth', () => runGrowthStage(lab, consumer, queryRate, step))) ?? null;
  }
  step(Object.keys(failures).length ? `done; no result for: ${Object.keys(failures).join(', ')}` : 'done');
  return { results, failures };
}
