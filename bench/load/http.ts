import { Pool } from 'undici';

/**
 * The load generator's HTTP client: an undici connection pool to one origin on 127.0.0.1. A request
 * resolves to its status (0 when it failed before an answer: refused, reset, timed out); bodies are
 * read to the end so that a connection is free again exactly when the answer is complete.
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpClient {
  send(request: HttpRequest): Promise<number>;
  close(): Promise<void>;
}

export const REQUEST_TIMEOUT_MS = 10_000;

export function createHttpClient(origin: string, connections: number): HttpClient {
  if (!origin.startsWith('http://127.0.0.1:')) throw new Error(`the bench loads only 127.0.0.1, not ${origin}`);
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
    connect: { timeout: 5_000 },
  });
  return {
    async send(request) {
      try {
        const response = await pool.request(request);
        await response.body.dump({ limit: 1 << 20 });
        return response.statusCode;
      } catch {
        return 0;
      }
    },
    close: () => pool.close(),
  };
}
