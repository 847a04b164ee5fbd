import { writeFileSync } from 'node:fs';
import { findCallStatement } from '../../services/query/calls-repository.ts';
import { outputTail, runCommand } from './run-command.ts';

/**
 * The query stage's baseline: pgbench running the query service's own lookup for GET /v1/calls/{callId}
 * (findCallStatement, the very text the service prepares) on random existing calls, with as many clients
 * as the load generator has connections. The script is written from the service's statement at each run,
 * so the baseline cannot drift from the service.
 */
export function findCallScript(): string {
  const { text } = findCallStatement;
  if (!text.includes('$1::uuid') || !text.includes('$2')) throw new Error('the lookup no longer takes ($1 tenant, $2 call id)');
  const sql = withoutColonsInLiterals(text)
    .replace('$1::uuid', ':tenant::uuid')
    .replace('$2', ":prefix::text || lpad(to_hex(:i::bigint), 12, '0')");
  return `\\set i random(0, :calls - 1)\n${sql.replace(/\s+/g, ' ').trim()};\n`;
}

/**
 * pgbench reads every `:name` as a variable, even inside a string literal (`'HH24:MI:SS'`), and has no
 * escape for it; a colon in a literal is spelled `chr(58)` instead, which Postgres folds into the same
 * constant when it plans the statement.
 */
export function withoutColonsInLiterals(sql: string): string {
  return sql
    .split("'")
    .map((part, index) => (index % 2 === 1 ? part.replaceAll(':', "' || chr(58) || '") : part))
    .join("'");
}

export interface PgbenchRun {
  databaseUrl: string;
  /** prepared: parsed and planned once per connection; extended: every time, as unnamed statements are. */
  mode: 'prepared' | 'extended';
  clients: number;
  seconds: number;
  variables: Record<string, string>;
  /** Where to write the script (the run's directory). */
  scriptPath: string;
  /** The environment pgbench runs in (PATH to find it, from the bench's config); the password is added. */
  env: Record<string, string>;
}

export async function runPgbench(run: PgbenchRun): Promise<{ tps: number; latencyMs: number }> {
  const url = new URL(run.databaseUrl);
  writeFileSync(run.scriptPath, findCallScript());
  const args = [
    '-n',
    '-M',
    run.mode,
    '-f',
    run.scriptPath,
    '-c',
    String(run.clients),
    '-j',
    '2',
    '-T',
    String(run.seconds),
    ...Object.entries(run.variables).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username || 'postgres'),
    decodeURIComponent(url.pathname.slice(1)),
  ];
  const env = url.password ? { ...run.env, PGPASSWORD: decodeURIComponent(url.password) } : run.env;
  const result = await runCommand('pgbench', args, { env, timeoutMs: (run.seconds + 60) * 1000 });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(result.output);
  const latency = /latency average = ([\d.]+) ms/.exec(result.output);
  if (result.code !== 0 || !tps || !latency) throw new Error(`pgbench failed (${result.code}): ${outputTail(result)}`);
  return { tps: Number(tps[1]), latencyMs: Number(latency[1]) };
}
