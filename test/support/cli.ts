import { loadConfig } from '../../shared/config.ts';
import { GROUPS } from '../../scripts/cli/groups.ts';
import { runCli } from '../../scripts/cli/run.ts';
import type { ScriptRun } from './run-script.ts';

/**
 * `npm run cli -- …` run in this process by the CLI's own runner, as scripts/cli.ts runs it, with the
 * configuration read from these variables instead of process.env, and what it prints collected.
 */
export async function cli(env: Record<string, string>, args: string[]): Promise<ScriptRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, GROUPS, {
    loadConfig: () => loadConfig(env),
    io: { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** The JSON documents a command printed, one per line. */
export function printed(run: ScriptRun): unknown[] {
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
}
