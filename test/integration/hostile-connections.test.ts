import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCallback } from '../../kit/callbacks.ts';
import { rawExchange } from '../../kit/raw-http.ts';
import { startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * Hostile senders at the connection level, against the ingress listening on a real socket: a slowloris
 * body is cut off with 408 once INGRESS_REQUEST_TIMEOUT_MS passed, oversized headers get 431, and the
 * server goes on answering everyone else.
 */
let ingress: TestIngress;
let port: number;

beforeAll(async () => {
  ingress = await startTestIngress({ settings: { INGRESS_REQUEST_TIMEOUT_MS: 1_000 } });
  await ingress.app.listen({ host: '127.0.0.1', port: 0 });
  port = (ingress.app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await ingress?.close();
});

/** Sends the head, then `bodyStart` and nothing more; resolves with everything the server sent until it closed. */
function slowRequest(head: string, bodyStart: string): Promise<string> {
  return rawExchange(port, [head, bodyStart], { endAfterWriting: false });
}

const REQUEST_TIMEOUT = { error: { code: 'REQUEST_TIMEOUT', message: 'the request was not received in time' } };
const path = () => `/v1/tenants/${ingress.tenant.tenantId}/call-records`;

describe('hostile connections', () => {
  it('answers a body that trickles in too slowly (slowloris) with 408 and closes the connection', async () => {
    const head =
      `POST ${path()} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ingress.tenant.ingestToken}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    const answer = await slowRequest(head, '{"callId":');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    // The documented error shape, not Fastify's (`{"error":"Request Timeout","message":"Client Timeout",…}`).
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toEqual(REQUEST_TIMEOUT);
  });

  it('answers headers that never finish with 408 as well', async () => {
    const answer = await slowRequest(`POST ${path()} HTTP/1.1\r\nHost: 127.0.0.1\r\n`, 'X-Slow: 1');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toEqual(REQUEST_TIMEOUT);
  });

  it('answers headers of excessive size with 431', async () => {
    const response = await fetch(`http://127.0.0.1:${port}${path()}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ingress.tenant.ingestToken}`,
        'content-type': 'application/json',
        'x-padding': 'x'.repeat(64 * 1024),
      },
      body: JSON.stringify(seedCallback()),
    });
    expect(response.status).toBe(431);
    expect(await response.json()).toEqual({
      error: { code: 'HEADERS_TOO_LARGE', message: 'the request line and headers are larger than the server accepts' },
    });
  });

  it('still accepts a normal callback afterwards', async () => {
    const response = await fetch(`http://127.0.0.1:${port}${path()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingress.tenant.ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(seedCallback()),
    });
    expect(response.status).toBe(200);
  });
});
