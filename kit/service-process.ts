import { readFileSync } from 'node:fs';
import { configEnvironment, loadConfig } from '../shared/config.ts';
import { killAllServices, startService, type ServiceName, type ServiceProcess, type StartedWhen } from '../scripts/service-process.ts';
import { freePort } from './ports.ts';

/**
 * A service as its own process (scripts/service-process.ts, as npm start runs it) for tests and chaos
 * runs: on a free port unless given one, output kept in memory, settings given as the variables of
 * shared/config.ts and checked here first, so a typo fails in the test and not as a child that exits.
 */
export type { ServiceName, ServiceProcess, StartedWhen };
export { killAllServices };

export interface TestServiceOptions {
  /** Settings by their variable names (DATABASE_URL, KAFKA_BROKERS, TOPIC_*…); HOST is 127.0.0.1 unless given. */
  env: Record<string, string>;
  port?: number;
  /** ready (the default): /readyz answers 200; healthy: /healthz; listening: the IPC report only. */
  startedWhen?: StartedWhen;
  startTimeoutMs?: number;
}

export interface TestService extends ServiceProcess {
  pid(): number;
  metrics(): Promise<string>;
  /** The HTTP status of GET path, e.g. /readyz. */
  status(path: string): Promise<number>;
  /** Resident set size of the process now, in bytes (VmRSS of /proc/PID/status). */
  rss(): number;
}

export async function startServiceProcess(name: ServiceName, options: TestServiceOptions): Promise<TestService> {
  const port = options.port ?? (await freePort());
  const env = configEnvironment(loadConfig({ HOST: '127.0.0.1', ...options.env }));
  const service = await startService({
    name,
    env,
    port,
    startedWhen: options.startedWhen ?? 'ready',
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
  });
  return Object.assign(service, {
    pid: () => service.child.pid!,
    metrics: () => fetch(`${service.url}/metrics`).then((response) => response.text()),
    status: (path: string) => fetch(`${service.url}${path}`).then((response) => response.status),
    rss() {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${service.child.pid}/status`, 'utf8'));
      return Number(match![1]) * 1024;
    },
  });
}
