import { spawn } from 'node:child_process';

/**
 * Runs a machine tool (psql, pgbench, Kafka's perf tool) with stdout and stderr collected together, so
 * that a failure can show the tool's own last words; killed when it overruns its time.
 */
export interface CommandOptions {
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
}

export interface CommandRun {
  /** null when the tool was killed (its time ran out). */
  code: number | null;
  output: string;
  seconds: number;
}

export function runCommand(command: string, args: string[], options: CommandOptions): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The tail of a failed run's output, enough to see why without flooding the report. */
export function outputTail(run: CommandRun): string {
  return run.output.slice(-2_000);
}
