import { join } from 'node:path';
import { startService, type ServiceName } from '../../scripts/service-process.ts';

/**
 * The processes under test (the services through their own entry points, and the bare baseline server
 * in the ingress's place), started by the one service launcher: with the environment they are given,
 * up once they report listening and GET /healthz answers, stopped with SIGTERM like an orchestrator
 * would. With a profile directory they run under --cpu-prof, which writes the profile when they exit.
 */
export interface NodeProcess {
  label: string;
  pid: number;
  origin: string;
  stop(): Promise<void>;
}

export interface NodeProcessOptions {
  label: string;
  service: ServiceName;
  /** A stand-in for the service (bench/baseline/bare-ingress.ts), with its arguments. */
  entry?: { script: string; args?: string[] };
  env: Record<string, string>;
  port: number;
  logDir: string;
  profileDir?: string;
}

const STOP_GRACE_MS = 30_000;

export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  // A directory per process: tsx's module-loader worker thread writes a profile of its own next to the
  // main thread's (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile, thread 0 being the main one).
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, options.label)}`] : [];
  const service = await startService({
    name: options.service,
    env: options.env,
    port: options.port,
    logFile: join(options.logDir, `${options.label}.log`),
    startedWhen: 'healthy',
    execArgv: profile,
    ...(options.entry ? { entry: options.entry } : {}),
  });
  return {
    label: options.label,
    pid: service.child.pid!,
    origin: service.url,
    stop: async () => void (await service.stop('SIGTERM', STOP_GRACE_MS)),
  };
}
