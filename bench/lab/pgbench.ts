import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/local-kafka.ts';

/**
 * The query stage's baseline: pgbench running the query service's own SQL for GET /v1/calls/{callId}
 * (bench/query/find-call.sql, a copy of services/query/calls-repository.ts's query) on random existing
 * calls, prepared, with as many clients as the load generator has connections.
 */
export const FIND_CALL_SQL = join(REPO_ROOT, 'bench', 'query', 'find-call.sql');
const SERVICE_SQL_SOURCE = join(REPO_ROOT, 'services', 'query', 'calls-repository.ts');

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/**
 * Whether the pgbench script still runs the service's SQL: the script, with its pgbench variables put
 * back as the service's parameters, must appear in the service's source. The query service is owned
 * elsewhere and may change; a stale baseline is reported, not silently compared.
 */
export function baselineMatchesService(): boolean {
  const script = readFileSync(FIND_CALL_SQL, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('\\'))
    .join('\n')
    .replace(':tenant::uuid', '$1::uuid')
    .replace(":prefix::text || lpad(to_hex(:i::bigint), 12, '0')", '$2')
    .replace(/;\s*$/, '');
  return normalise(readFileSync(SERVICE_SQL_SOURCE, 'utf8')).includes(normalise(script));
}

export interface PgbenchRun {
  databaseUrl: string;
  /** prepared: parsed and planned once per connection; extended: every time, as unnamed statements are. */
  mode: 'prepared' | 'extended';
  clients: number;
  seconds: number;
  variables: Record<string, string>;
}

export function runPgbench(run: PgbenchRun): Promise<{ tps: number; latencyMs: number }> {
  const url = new URL(run.databaseUrl);
  const args = [
    '-n', '-M', run.mode, '-f', FIND_CALL_SQL,
    '-c', String(run.clients), '-j', '2', '-T', String(run.seconds),
    ...Object.entries(run.variables).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    '-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres'),
    decodeURIComponent(url.pathname.slice(1)),
  ];
  return new Promise((resolve, reject) => {
    const env = url.password ? { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } : process.env;
    const child = spawn('pgbench', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 60) * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
      const latency = /latency average = ([\d.]+) ms/.exec(output);
      if (code !== 0 || !tps || !latency) return reject(new Error(`pgbench failed (${code}): ${output.slice(-2_000)}`));
      resolve({ tps: Number(tps[1]), latencyMs: Number(latency[1]) });
    });
  });
}
