import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callIdOf, callIdPrefix } from '../generator/callback.ts';
import { CALL_TABLES } from '../../kit/test-database.ts';
import { countRowsOf, totalRows, truncateCallTables, writableColumns } from '../lab/database.ts';
import { drainWithConsumer } from '../lab/drain.ts';
import type { Lab } from '../lab/lab.ts';
import type { TopicSet } from '../../kit/topics.ts';
import { prefillTopic } from '../lab/prefill.ts';
import { runPsql } from '../lab/psql.ts';
import { warmUpTables } from '../lab/warm-up.ts';
import type { ConsumerResult } from '../results.ts';

/**
 * Stage 3: the consumer draining a pre-filled topic into the real, indexed tables (after an unmeasured
 * warm-up drain and ANALYZE), against COPY of the very rows it wrote (exported, the tables truncated,
 * then loaded back by psql in one transaction): the same rows into the same tables with the same
 * indexes, without Kafka or Node.
 */
export interface ConsumerStageOutput {
  result: ConsumerResult;
  topics: TopicSet;
  prefix: string;
  callIds: string[];
  /** psql script that loads the rows the consumer wrote (COPY files), for growth's second database. */
  copyScript: string;
}

/** Callbacks drained (unmeasured) before the measured drain, then ANALYZE: see lab/warm-up.ts. */
const WARM_UP_CALLS = 1_000;
const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

const PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-$/;

/** Exports the rows of the calls named prefix…, truncates the tables, and times psql loading them back. */
async function copyBaseline(lab: Lab, directory: string, prefix: string): Promise<{ seconds: number; script: string }> {
  // psql's \copy takes no parameters; the prefix is checked to be the generator's hex shape.
  if (!PREFIX.test(prefix)) throw new Error(`unexpected call id prefix ${prefix}`);
  mkdirSync(directory, { recursive: true });
  const load: string[] = ['begin;'];
  for (const table of CALL_TABLES) {
    const columns = (await writableColumns(lab.db.pool, table)).join(', ');
    const file = join(directory, `${table}.copy`);
    const rows = `select ${columns} from ${table} where left(call_id, 24) = '${prefix}'`;
    await runPsql(lab.db.url, ['-c', `\\copy (${rows}) to '${file}'`]);
    load.push(`\\copy ${table} (${columns}) from '${file}'`);
  }
  load.push('commit;');
  const script = join(directory, 'load.sql');
  writeFileSync(script, `${load.join('\n')}\n`);
  await truncateCallTables(lab.db.pool);
  return { seconds: await runPsql(lab.db.url, ['-f', script]), script };
}

export async function runConsumerStage(lab: Lab, workDir: string): Promise<ConsumerStageOutput> {
  const count = lab.options.consumerCalls;
  const topics = await lab.topics('consumer');
  const prefix = callIdPrefix(lab.random);
  await prefillTopic(lab, topics.callRecords, prefix, count);
  await truncateCallTables(lab.db.pool);
  await warmUpTables(lab, lab.db.pool, WARM_UP_CALLS, 'consumer');

  const drain = await drainWithConsumer(lab, topics, count, 'consumer');
  const callIds = Array.from({ length: count }, (_, index) => callIdOf(prefix, index));
  const rowsPerTable = await countRowsOf(lab.db.pool, lab.tenant.tenantId, callIds);
  if (rowsPerTable.calls !== count) throw new Error(`the consumer stored ${rowsPerTable.calls} of ${count} calls`);
  const rows = totalRows(rowsPerTable);

  const copy = await copyBaseline(lab, join(workDir, 'copy'), prefix);
  const copySeconds = copy.seconds;
  const reloaded = totalRows(await countRowsOf(lab.db.pool, lab.tenant.tenantId, callIds));
  if (reloaded !== rows) throw new Error(`COPY loaded ${reloaded} rows, the consumer wrote ${rows}`);

  const rowsPerS = (rows / count) * drain.callbacksPerS;
  const baselineRowsPerS = rows / copySeconds;
  return {
    topics,
    prefix,
    callIds,
    copyScript: copy.script,
    result: {
      callbacks_per_s: drain.callbacksPerS,
      rows_per_s: round(rowsPerS),
      baseline_rows_per_s: round(baselineRowsPerS),
      ratio: round(rowsPerS / baselineRowsPerS, 3),
      callbacks: count,
      rows,
      rows_per_table: rowsPerTable,
      baseline_s: round(copySeconds, 2),
      cpu_cores: drain.cpu,
      backend_states: drain.backendStates,
    },
  };
}
