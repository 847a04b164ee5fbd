import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFaultEnvironment, type FaultEnvironment } from '../../kit/fault-environment.ts';
import { startProcessPipeline, type ProcessPipeline } from '../../kit/process-pipeline.ts';
import { killAllServices } from '../../kit/service-process.ts';
import { seedCallback } from '../../kit/callbacks.ts';
import { uniqueName } from '../../kit/topics.ts';
import { eventually } from '../support/pipeline.ts';

/**
 * Tokens never reach a log: the three services run as processes with LOG_LEVEL=debug, every way of
 * presenting a token is used (right and wrong, header, bearer, query string), and their whole output is
 * searched for the tokens.
 */
let env: FaultEnvironment;
let pipeline: ProcessPipeline;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'callstream-security-logs-'));
  env = await startFaultEnvironment({ workDir, adminUrl: inject('adminDatabaseUrl'), brokers: inject('kafkaBrokers') });
  pipeline = await startProcessPipeline(env, { logLevel: 'debug' });
});

afterAll(async () => {
  await pipeline?.close();
  await killAllServices();
  await env?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('tokens in logs', () => {
  it('appear nowhere in the debug output of any service, whichever way they were presented', async () => {
    const { tenant, ingress, query } = pipeline;
    const path = `${ingress.url}/v1/tenants/${tenant.tenantId}/call-records`;
    const callIds: string[] = [];
    const send = async (url: string, headers: Record<string, string>) => {
      const callId = uniqueName('logged');
      callIds.push(callId);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ ...seedCallback(), callId }),
      });
      return response.status;
    };
    expect(await send(path, { authorization: `Bearer ${tenant.ingestToken}` })).toBe(200);
    expect(await send(path, { 'x-callstream-token': tenant.ingestToken })).toBe(200);
    expect(await send(`${path}?token=${tenant.ingestToken}`, {})).toBe(200);
    expect(await send(`${path}?token=${tenant.accessToken}`, {})).toBe(401);
    expect(await send(path, { authorization: `Bearer ${tenant.accessToken}` })).toBe(401);
    expect(await send(`${ingress.url}/v1/unknown?token=${tenant.ingestToken}`, {})).toBe(404);
    // Fastify decodes query-string keys: these two are the token to the route, and are accepted.
    expect(await send(`${path}?%74oken=${tenant.ingestToken}`, {})).toBe(200);
    expect(await send(`${path}?t%6Fken=${tenant.ingestToken}`, {})).toBe(200);
    // Not the route's `token`, but a sender meant them as one: refused, and redacted all the same.
    expect(await send(`${path}?TOKEN=${tenant.ingestToken}`, {})).toBe(401);
    expect(await send(`${path}?token[]=${tenant.ingestToken}`, {})).toBe(401);
    expect(await send(`${path}?access_token=${tenant.ingestToken}`, {})).toBe(401);
    expect(await send(`${path}?token=${tenant.ingestToken}&token=${tenant.ingestToken}`, {})).toBe(401);
    expect(await send(`${ingress.url}/v1/%ZZ?token=${tenant.ingestToken}`, {})).toBe(400);
    await eventually(async () => {
      const { rows } = await pipeline.pool.query('select count(*)::int as n from calls');
      return rows[0].n === 5 || undefined;
    }, 30_000);

    const headers = { 'x-commubo-tenantId': tenant.tenantId, 'x-commubo-accessToken': tenant.accessToken };
    for (const route of [
      `/v1/calls/${callIds[0]}`,
      `/v1/calls/${callIds[0]}/raw`,
      `/v1/calls/${callIds[0]}/conversations`,
      '/v1/calls?start=2021-05-01&end=2021-05-31',
    ]) {
      expect((await fetch(`${query.url}${route}`, { headers })).status).toBe(200);
    }
    const wrong = { 'x-commubo-tenantId': tenant.tenantId, 'x-commubo-accessToken': tenant.ingestToken };
    expect((await fetch(`${query.url}/v1/calls/${callIds[0]}`, { headers: wrong })).status).toBe(403);
    expect((await fetch(`${query.url}/v1/calls/${callIds[0]}?accessToken=${tenant.accessToken}`)).status).toBe(403);
    expect((await fetch(`${query.url}/v1/calls/${callIds[0]}?%61ccessToken=${tenant.accessToken}`)).status).toBe(403);
    expect((await fetch(`${query.url}/v1/calls/%ZZ?accessToken=${tenant.accessToken}`, { headers })).status).toBe(400);

    await Promise.all(pipeline.services().map((service) => service.stop('SIGTERM')));
    const logs = pipeline
      .services()
      .map((service) => service.output())
      .join('\n');
    // Debug output of real requests is there to be searched: each service logged its requests.
    expect(logs).toContain('"service":"ingress"');
    expect(logs).toContain('"service":"query"');
    expect(logs).toContain('"service":"consumer"');
    // The requests with an encoded key were logged, their value redacted.
    expect(logs).toContain('?%74oken=[REDACTED]');
    expect(logs).toContain('?%61ccessToken=[REDACTED]');
    expect(logs.includes(tenant.ingestToken)).toBe(false);
    expect(logs.includes(tenant.accessToken)).toBe(false);
  }, 60_000);
});
