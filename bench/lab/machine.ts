import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import type { Pool } from '../../shared/db/pool.ts';
import { kafkaVersion } from '../../scripts/local-kafka.ts';

/** What the figures were measured on, so that a ratio can be read next to the machine that produced it. */
export const SHARED_MACHINE_NOTE =
  'The machine may be shared: other test suites (Kafka, Postgres, Node) can run on the same cores at the same time; ' +
  'absolute figures move from run to run, ratios to the baselines measured in the same run are what to compare.';

export const loadAverage = () => loadavg().map((value) => Math.round(value * 100) / 100);

export async function describeMachine(pool: Pool) {
  const { rows } = await pool.query<{ server_version: string }>('show server_version');
  const kafka = kafkaVersion();
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round(totalmem() / 1e9),
    os: `${osType()} ${release()}`,
    node: process.version,
    postgres: rows[0]?.server_version ?? 'unknown',
    kafka,
  };
}
