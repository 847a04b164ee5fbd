import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import type { ListenPort } from './npm-start-ports.ts';
import type { Pool } from './db/pool.ts';
import { closeOnSignals } from './shutdown.ts';
import { exitOnStartupFailure, listenOn } from './startup-error.ts';
import { reportStartup, type StartupReport } from './startup-report.ts';

/**
 * What the three services (ingress, consumer, query) share around their own wiring in start.ts: the
 * overrides every one of them takes, its shape once created, and how it is started, listened on and run.
 */
export interface ServiceOverrides {
  /** Fastify's logger option; the service's JSON lines (loggerOptions) when not given. */
  logger?: FastifyServerOptions['logger'];
  /** false: no socket, requests through app.inject(). */
  listen?: boolean;
  registry?: Registry;
  /** What a parent with an IPC channel is told (npm start); a test process must not tell its runner. */
  report?: (report: StartupReport) => Promise<void>;
  /** Where spans go instead of the OTEL_* config's exporter (a test's InMemorySpanExporter); recorded then. */
  spanExporter?: SpanExporter;
}

export interface Service {
  app: FastifyInstance;
  db: Pool;
  /** The port it listens on once started (the one chosen when its port is 0); undefined without a socket. */
  port(): number | undefined;
  /** Connects what it needs, listens and reports listening; failures are StartupErrors. */
  start(): Promise<void>;
  /** Stops listening and closes what it opened. Once. */
  close(): Promise<void>;
}

/** Listens on the port and reports listening, or without a socket (listen: false) only readies the app. */
export async function listenAndReport(
  app: FastifyInstance,
  { variable, port, host }: ListenPort,
  overrides: ServiceOverrides,
): Promise<void> {
  if (overrides.listen === false) {
    await app.ready();
    return;
  }
  await listenOn(variable, port, host, () => app.listen({ host, port }));
  await (overrides.report ?? reportStartup)({ listening: true });
}

/** Starts a created service; what start-up opened is closed again when it fails. */
export async function startOrClose<S extends Service>(service: S): Promise<S> {
  try {
    await service.start();
  } catch (error) {
    await service.close().catch(() => undefined);
    throw error;
  }
  return service;
}

/** For main.ts: closes on SIGTERM/SIGINT, then starts; a start-up failure is one line and exit 1. */
export async function runService(service: Pick<Service, 'app' | 'start' | 'close'>): Promise<void> {
  // Signals are heard from the first moment: one during start-up closes what was opened so far.
  closeOnSignals(
    () => service.close(),
    (message) => service.app.log.info(message),
  );
  await service.start().catch(exitOnStartupFailure);
}
