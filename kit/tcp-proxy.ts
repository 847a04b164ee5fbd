import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP forwarder to stand between a service and Postgres, so a test can take "the database" away
 * without touching the real server that other tests share. cut() resets every open connection and
 * every new one until restore(), as a crashed or restarting server would. delay() makes it slow instead:
 * every chunk on its way to the server waits the milliseconds the function gives (in order: a chunk
 * never overtakes the one before), so each round trip of a client takes that much longer.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  /** From now on, each chunk towards the server is held delayMs() ms; undefined: forwarded at once again. */
  delay(delayMs: (() => number) | undefined): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let delayMs: (() => number) | undefined;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = createServer((client) => {
    track(client);
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    // Held chunks in arrival order, each with when it may go: one timer at a time, for the oldest, so the
    // byte stream keeps its order (timers of different lengths due at the same moment may fire in any order).
    const held: Array<{ at: number; chunk: Buffer }> = [];
    let timer: NodeJS.Timeout | undefined;
    const release = () => {
      timer = undefined;
      while (held.length > 0 && held[0]!.at <= Date.now()) upstream.write(held.shift()!.chunk);
      if (held.length > 0) timer = setTimeout(release, held[0]!.at - Date.now());
      else if (client.readableEnded) upstream.end();
    };
    client.on('data', (chunk: Buffer) => {
      if (!delayMs && held.length === 0) {
        if (!upstream.write(chunk)) client.pause();
        return;
      }
      held.push({ at: Math.max(held.at(-1)?.at ?? 0, Date.now() + (delayMs?.() ?? 0)), chunk });
      timer ??= setTimeout(release, held[0]!.at - Date.now());
    });
    upstream.on('drain', () => client.resume());
    client.once('end', () => {
      if (held.length === 0) upstream.end();
    });
    upstream.once('close', () => clearTimeout(timer));
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the proxy has no port');

  return {
    port: address.port,
    cut() {
      down = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      down = false;
    },
    delay(next) {
      delayMs = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((closed) => server.close(() => closed()));
    },
  };
}
