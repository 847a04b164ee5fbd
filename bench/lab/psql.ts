import { outputTail, runCommand } from './run-command.ts';

/** Runs psql (the machine's client, no Node in the data path) on a script file; resolves to wall seconds. */
const TIMEOUT_MS = 30 * 60_000;

export async function runPsql(databaseUrl: string, args: string[]): Promise<number> {
  const run = await runCommand('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, ...args], { timeoutMs: TIMEOUT_MS });
  if (run.code !== 0) throw new Error(`psql exited with ${run.code}: ${outputTail(run)}`);
  return run.seconds;
}
