import { createServer } from 'node:net';
import { freePort } from './ports.ts';

/**
 * `count` consecutive TCP ports that were free a moment ago on 127.0.0.1: a local Kafka cluster takes its
 * ports from one base port (scripts/local-kafka/cluster.ts), as `npm start` does from LOCAL_KAFKA_PORT.
 */
export async function freeConsecutivePorts(count: number): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + count - 1 > 65_535) continue;
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, index) => canListen(port + index + 1)));
    if (rest.every(Boolean)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
