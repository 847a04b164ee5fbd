import { connect } from 'node:net';

/**
 * HTTP spoken by hand on a fresh TCP connection, for what a client library would not send: headers past
 * the limits, a body that never finishes. Resolves with everything the server sent once it closed.
 */
export function rawExchange(port: number, parts: string[], options: { endAfterWriting: boolean }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    for (const part of parts) socket.write(part);
    // A slow sender keeps its side open: the server must give up on it, not see it finish.
    if (options.endAfterWriting) socket.end();
  });
}

export interface RawResponse {
  statusLine: string;
  /** Names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

export function parseRawResponse(answer: string): RawResponse {
  const [head = '', ...rest] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { statusLine, headers, body: rest.join('\r\n\r\n') };
}

/** Sends `request` whole and closes the sending side; the server's answer, parsed. */
export async function rawRequest(port: number, request: string): Promise<RawResponse> {
  return parseRawResponse(await rawExchange(port, [request], { endAfterWriting: true }));
}
