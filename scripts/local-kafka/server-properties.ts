import { join } from 'node:path';
import type { BrokerTls, ScramMechanism } from './security.ts';

/** One combined broker+controller node, on loopback. */
export interface NodeLayout {
  id: number;
  /** The client listener: PLAINTEXT, or SASL_SSL on a secure broker. */
  port: number;
  controllerPort: number;
  /** A secure broker's PLAINTEXT listener for inter-broker traffic and the tools (kafka-configs). */
  internalPort?: number;
  /** Holds server.properties and the log directory. */
  dataDir: string;
}

export interface SecureListener {
  mechanism: ScramMechanism;
  tls: BrokerTls;
}

export const serverPropertiesFile = (node: NodeLayout): string => join(node.dataDir, 'server.properties');

/**
 * One node's server.properties. A cluster of three is a quorum of three voters whose defaults make topics
 * created without explicit settings replicated (3 replicas, 2 in sync to acknowledge acks=all), internal
 * topics included; a single node keeps the factors of 1 that are all it can hold.
 */
export function serverProperties(node: NodeLayout, voters: readonly NodeLayout[], secure: SecureListener | undefined): string {
  const replicated = voters.length > 1;
  const listeners = secure
    ? { SASL_SSL: node.port, INTERNAL: node.internalPort!, CONTROLLER: node.controllerPort }
    : { PLAINTEXT: node.port, CONTROLLER: node.controllerPort };
  const advertised = Object.entries(listeners).filter(([name]) => name !== 'CONTROLLER');
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${voters.map((voter) => `${voter.id}@127.0.0.1:${voter.controllerPort}`).join(',')}`,
    `listeners=${Object.entries(listeners)
      .map(([name, port]) => `${name}://127.0.0.1:${port}`)
      .join(',')}`,
    `advertised.listeners=${advertised.map(([name, port]) => `${name}://127.0.0.1:${port}`).join(',')}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=${Object.keys(listeners)
      .map((name) => `${name}:${name === 'SASL_SSL' ? 'SASL_SSL' : 'PLAINTEXT'}`)
      .join(',')}`,
    ...(secure ? secureListenerProperties(secure) : []),
    `log.dirs=${join(node.dataDir, 'log')}`,
    'num.partitions=6',
    ...(replicated ? ['default.replication.factor=3', 'min.insync.replicas=2'] : []),
    `offsets.topic.replication.factor=${replicated ? 3 : 1}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${replicated ? 3 : 1}`,
    `transaction.state.log.min.isr=${replicated ? 2 : 1}`,
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/**
 * SCRAM over TLS on the client listener only. Brokers and controllers talk PLAINTEXT on listeners of their
 * own: the simplest setup that still puts every client connection through TLS and SCRAM, and it lets the
 * tools change a password without credentials of their own. The server-side login module needs none.
 */
function secureListenerProperties({ mechanism, tls }: SecureListener): string[] {
  return [
    'inter.broker.listener.name=INTERNAL',
    `sasl.enabled.mechanisms=${mechanism}`,
    `listener.name.sasl_ssl.${mechanism.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${tls.keystore}`,
    `ssl.keystore.password=${tls.storePassword}`,
    `ssl.key.password=${tls.storePassword}`,
  ];
}
