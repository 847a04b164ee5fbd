import { Agent, request } from 'node:http';

/**
 * The senders' HTTP: one keep-alive agent, a deadline per request, and every failure turned into an
 * answer the sender can act on (a status, or "no answer", which real senders retry).
 */
/** A POST's answer, or a GET's. */
export type PostResult = { status: number; retryAfterSeconds?: number; body: string } | { status: 'no-answer'; error: string };

const agent = new Agent({ keepAlive: true, maxSockets: 5_000 });

export function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  return exchange(
    'POST',
    url,
    body,
    { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    timeoutMs,
  );
}

export function get(url: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  return exchange('GET', url, undefined, headers, timeoutMs);
}

function exchange(
  method: 'GET' | 'POST',
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers,
        timeout: timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const retryAfter = Number(response.headers['retry-after']);
          resolve({
            status: response.statusCode ?? 0,
            body: text,
            ...(Number.isFinite(retryAfter) && response.headers['retry-after'] ? { retryAfterSeconds: retryAfter } : {}),
          });
        });
        response.on('error', (error) => resolve({ status: 'no-answer', error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 'no-answer', error: error.message }));
    req.end(body);
  });
}

export function closeHttpClient(): void {
  agent.destroy();
}
