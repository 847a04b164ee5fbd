import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * `count` consecutive TCP ports free a moment ago on 127.0.0.1: a local Kafka cluster takes its ports
 * from one base port (scripts/local-kafka/cluster.ts), as `npm start` does from LOCAL_KAFKA_PORT. They are
 * drawn from below 32768, where neither Linux (32768–60999) nor macOS (49152–65535) picks the local ports
 * of outgoing connections or of listen(0): on a machine busy with other test runs' clients, a run of
 * ports from that range is soon taken by one of them before the brokers bind it.
 */
const LOWEST = 20_000;
const BELOW = 32_768;

export async function freeConsecutivePorts(count: number): Promise<number> {
  for (;;) {
    const port = randomInt(LOWEST, BELOW - count + 1);
    const free = await Promise.all(Array.from({ length: count }, (_, index) => canListen(port + index)));
    if (free.every(Boolean)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
