import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Runs one of the project's entry points (`npm run setup`, a service's main.ts, a CLI) as an operator
 * would, with only the environment given (plus PATH and HOME), and collects how it ended.
 */
const run = promisify(execFile);
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runScript(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ScriptRun> {
  return run(args[0]!, args.slice(1), {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    timeout: timeoutMs,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** `node --import tsx <script>`: a service's main.ts or a script, without npm in between. */
export const nodeScript = (script: string) => [process.execPath, '--import', 'tsx', script];
