import { ConfigError, type Config } from './config.ts';

/** Every port `npm start` listens on, checked before anything starts (clashes, 0, room for the Kafka nodes). */
export interface ListenPort {
  /** The variable that sets it, as the user would change it. */
  variable: string;
  port: number;
  host: string;
}

/**
 * Every port `npm start` listens on, its own Kafka's included when it runs one. Two of them equal would
 * have the second listener fail after the first started; 0 would print URLs nobody serves. The Kafka
 * ports follow the local launcher's layout (scripts/local-kafka/cluster.ts): node i (1, 2, 3) listens for
 * clients on LOCAL_KAFKA_PORT + 2(i-1) and as a controller on the port after it.
 */
export function npmStartPorts(config: Config, { localKafka }: { localKafka: boolean }): ListenPort[] {
  const base = config.LOCAL_KAFKA_PORT;
  const nodes = config.LOCAL_KAFKA_NODES;
  if (localKafka && base + 2 * nodes - 1 > 65_535) {
    throw new ConfigError(
      `invalid environment: LOCAL_KAFKA_PORT=${base} leaves no room for the ports of ${nodes} Kafka nodes (LOCAL_KAFKA_PORT to LOCAL_KAFKA_PORT+${2 * nodes - 1}); choose at most ${65_536 - 2 * nodes}`,
    );
  }
  const kafkaPorts: ListenPort[] =
    nodes === 1
      ? [
          { variable: 'LOCAL_KAFKA_PORT', port: base, host: '127.0.0.1' },
          { variable: 'LOCAL_KAFKA_PORT+1 (Kafka controller)', port: base + 1, host: '127.0.0.1' },
        ]
      : Array.from({ length: nodes }, (_, index) => [
          {
            variable: index === 0 ? 'LOCAL_KAFKA_PORT' : `LOCAL_KAFKA_PORT+${2 * index} (Kafka node ${index + 1})`,
            port: base + 2 * index,
            host: '127.0.0.1',
          },
          {
            variable: `LOCAL_KAFKA_PORT+${2 * index + 1} (Kafka node ${index + 1} controller)`,
            port: base + 2 * index + 1,
            host: '127.0.0.1',
          },
        ]).flat();
  const ports: ListenPort[] = [
    ...(localKafka ? kafkaPorts : []),
    { variable: 'INGRESS_PORT', port: config.INGRESS_PORT, host: config.HOST },
    { variable: 'QUERY_PORT', port: config.QUERY_PORT, host: config.HOST },
    { variable: 'CONSUMER_PORT', port: config.CONSUMER_PORT, host: config.HOST },
  ];
  for (const [index, { variable, port }] of ports.entries()) {
    if (port === 0) {
      throw new ConfigError(
        `invalid environment: ${variable}=0 (any free port) does not suit npm start, which prints the URLs it serves; choose a port`,
      );
    }
    const earlier = ports.slice(0, index).find((other) => other.port === port);
    if (earlier) {
      throw new ConfigError(
        `invalid environment: ${earlier.variable} and ${variable} are both ${port}; every port npm start listens on must differ`,
      );
    }
  }
  return ports;
}
