import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.ts';
import { npmStartPorts } from '../../shared/npm-start-ports.ts';
import { localKafkaClusterPorts } from '../../scripts/local-kafka.ts';

/** npm start with LOCAL_KAFKA_NODES=3: every port of the three-node cluster is checked before anything starts. */
describe('npmStartPorts with a three-node local cluster', () => {
  const ports = (env: Record<string, string>) => npmStartPorts(loadConfig({ LOCAL_KAFKA_NODES: '3', ...env }), { localKafka: true });

  it('lists each node’s client and controller port, as the launcher lays them out, then the services', () => {
    expect(ports({})).toEqual([
      { variable: 'LOCAL_KAFKA_PORT', port: 9092, host: '127.0.0.1' },
      { variable: 'LOCAL_KAFKA_PORT+1 (Kafka node 1 controller)', port: 9093, host: '127.0.0.1' },
      { variable: 'LOCAL_KAFKA_PORT+2 (Kafka node 2)', port: 9094, host: '127.0.0.1' },
      { variable: 'LOCAL_KAFKA_PORT+3 (Kafka node 2 controller)', port: 9095, host: '127.0.0.1' },
      { variable: 'LOCAL_KAFKA_PORT+4 (Kafka node 3)', port: 9096, host: '127.0.0.1' },
      { variable: 'LOCAL_KAFKA_PORT+5 (Kafka node 3 controller)', port: 9097, host: '127.0.0.1' },
      { variable: 'INGRESS_PORT', port: 8080, host: '127.0.0.1' },
      { variable: 'QUERY_PORT', port: 8081, host: '127.0.0.1' },
      { variable: 'CONSUMER_PORT', port: 8082, host: '127.0.0.1' },
    ]);
    expect(
      ports({ LOCAL_KAFKA_PORT: '19000' })
        .slice(0, 6)
        .map(({ port }) => port),
    ).toEqual(localKafkaClusterPorts(19000, 3));
  });

  it('lists only the services when KAFKA_BROKERS names a cluster', () => {
    expect(npmStartPorts(loadConfig({ LOCAL_KAFKA_NODES: '3', KAFKA_BROKERS: 'kafka:9092' }), { localKafka: false })).toEqual([
      { variable: 'INGRESS_PORT', port: 8080, host: '127.0.0.1' },
      { variable: 'QUERY_PORT', port: 8081, host: '127.0.0.1' },
      { variable: 'CONSUMER_PORT', port: 8082, host: '127.0.0.1' },
    ]);
  });

  it.each([
    [
      { LOCAL_KAFKA_PORT: '8076' },
      'invalid environment: LOCAL_KAFKA_PORT+4 (Kafka node 3) and INGRESS_PORT are both 8080; every port npm start listens on must differ',
    ],
    [
      { LOCAL_KAFKA_PORT: '65531' },
      'invalid environment: LOCAL_KAFKA_PORT=65531 leaves no room for the ports of 3 Kafka nodes (LOCAL_KAFKA_PORT to LOCAL_KAFKA_PORT+5); choose at most 65530',
    ],
  ])('refuses %j with one line naming the variables', (env, message) => {
    expect(() => ports(env)).toThrow(new ConfigError(message));
  });

  it('takes the highest base port that leaves room for all six', () => {
    expect(ports({ LOCAL_KAFKA_PORT: '65530' })[5]).toEqual({
      variable: 'LOCAL_KAFKA_PORT+5 (Kafka node 3 controller)',
      port: 65_535,
      host: '127.0.0.1',
    });
  });
});
