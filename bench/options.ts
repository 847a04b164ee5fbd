import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * Command-line options of `npm run bench`. --quick runs every stage but growth with short windows (under
 * 5 minutes); the full run (under 45) measures longer and adds growth. Sizes can be overridden to probe.
 */
export const STAGES = ['ingress', 'kafka', 'consumer', 'freshness', 'query', 'growth'] as const;
export type StageName = (typeof STAGES)[number];

const optionsSchema = z.object({
  quick: z.boolean(),
  profile: z.boolean(),
  keepDatabase: z.boolean(),
  seed: z.coerce.number().int().min(0),
  growthCalls: z.coerce.number().int().min(0).optional(),
  only: z.array(z.enum(STAGES)).optional(),
});

export interface BenchOptions extends z.output<typeof optionsSchema> {
  warmupMs: number;
  /** Length of each measured window. */
  durationMs: number;
  ingressConcurrency: number;
  queryConcurrency: number;
  /** Callbacks pre-filled for the consumer stage (and, in growth, each drain). */
  consumerCalls: number;
  kafkaRecords: number;
  /** Distinct payload templates the load generator splices call ids into. */
  templates: number;
  /** Tracked callbacks per second in the freshness stage (each polled until it is returned). */
  freshnessSamplesPerS: number;
  growthCalls: number;
}

export const USAGE = `usage: npm run bench -- [--quick] [--profile] [--seed N] [--growth-calls N] [--only stage,stage] [--keep-db]`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      seed: { type: 'string', default: '20260102' },
      'growth-calls': { type: 'string' },
      only: { type: 'string' },
    },
    strict: true,
  });
  const parsed = optionsSchema.parse({
    quick: values.quick,
    profile: values.profile,
    keepDatabase: values['keep-db'],
    seed: values.seed,
    growthCalls: values['growth-calls'],
    only: values.only?.split(','),
  });
  const quick = parsed.quick;
  return {
    ...parsed,
    warmupMs: quick ? 3_000 : 5_000,
    durationMs: quick ? 10_000 : 30_000,
    ingressConcurrency: 64,
    queryConcurrency: 16,
    consumerCalls: quick ? 4_000 : 20_000,
    kafkaRecords: quick ? 40_000 : 200_000,
    templates: quick ? 500 : 2_000,
    freshnessSamplesPerS: 20,
    growthCalls: parsed.growthCalls ?? 2_000_000,
  };
}

export function runsStage(options: BenchOptions, stage: StageName): boolean {
  if (options.only) return options.only.includes(stage);
  return stage !== 'growth' || !options.quick;
}
