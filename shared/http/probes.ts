import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * GET /healthz (the process is alive) and GET /readyz (each named dependency answers), for orchestrators
 * and operators. The names are the service's (postgres, kafka, consumerGroup); /readyz says which failed.
 */
export type ReadinessChecks = Readonly<Record<string, () => Promise<boolean>>>;

export const PROBES_PLUGIN = 'callstream-probes';

export interface ProbesOptions {
  checks: ReadinessChecks;
  /** A check that has not answered by then has failed: /readyz never hangs on a dependency that does. */
  checkTimeoutMs?: number;
}

export type CheckOutcome = 'ok' | 'failed';

/** true only: a check that throws, rejects, answers anything else or answers too late has failed. */
export async function runCheck(check: () => Promise<boolean>, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const passed = await Promise.race([Promise.resolve().then(check), late]);
    return passed === true ? 'ok' : 'failed';
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

async function probesPlugin(app: FastifyInstance, options: ProbesOptions): Promise<void> {
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  const names = Object.keys(options.checks);

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const outcomes = await Promise.all(names.map((name) => runCheck(options.checks[name]!, timeoutMs)));
    const checks = Object.fromEntries(names.map((name, index) => [name, outcomes[index]!]));
    const ready = !outcomes.includes('failed');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
}

export const probes = fp(probesPlugin, { name: PROBES_PLUGIN, fastify: '5.x' });
