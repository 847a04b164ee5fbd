import type { Kafka } from 'kafkajs';
import { configEnvironment, type Config } from '../../shared/config.ts';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import { freePort } from '../../kit/ports.ts';
import type { BenchOptions } from '../options.ts';
import type { PayloadSet } from '../generator/payloads.ts';
import { createRandom, type Random } from '../generator/random.ts';
import { backendPids, watchCpu, type CpuWatch } from './cpu.ts';
import type { TestDatabase } from '../../kit/test-database.ts';
import { createTopicSet, type TopicSet } from '../../kit/topics.ts';
import { startNodeProcess, type NodeProcess } from './processes.ts';

/**
 * Everything a stage needs: the broker, the bench database and its tenant, the payloads, and ways to
 * start the services as black boxes configured only by environment variables.
 */
export type ServiceName = 'ingress' | 'consumer' | 'query';

export interface ServiceWiring {
  topics?: TopicSet;
  group?: string;
  /** Another bench database than lab.db (growth compares two). */
  databaseUrl?: string;
}

export interface Lab extends LabParts {
  random: Random;
  topics(label: string): Promise<TopicSet>;
  service(name: ServiceName, label: string, wiring: ServiceWiring): Promise<NodeProcess>;
  bareIngress(): Promise<NodeProcess>;
  /** Starts CPU accounting for these processes, Kafka and the bench database's backends. */
  watchCpu(processes: NodeProcess[]): Promise<CpuWatch>;
}

export interface LabParts {
  options: BenchOptions;
  config: Config;
  logDir: string;
  profileDir: string | undefined;
  brokers: string[];
  kafkaPid: number | undefined;
  kafka: Kafka;
  db: TestDatabase;
  tenant: CreatedTenant;
  payloads: PayloadSet;
}

export function createLab(parts: LabParts): Lab {
  const processOptions = (label: string, port: number) => ({ label, port, logDir: parts.logDir, profileDir: parts.profileDir });
  return {
    ...parts,
    random: createRandom(parts.options.seed),
    topics: (label) => createTopicSet(parts.kafka, `bench.${label}`, parts.config.TOPIC_PARTITIONS),
    async service(name, label, wiring) {
      const port = await freePort();
      // The bench's own config, so that whoever runs the bench can tune the services' own variables
      // (e.g. PRODUCE_LINGER_MS); only where they connect and listen is set here (the port by the launcher).
      const env = configEnvironment({
        ...parts.config,
        DATABASE_URL: wiring.databaseUrl ?? parts.db.url,
        KAFKA_BROKERS: parts.brokers,
        KAFKA_CLIENT_ID: `bench-${label}`,
        HOST: '127.0.0.1',
        INGRESS_PORT: 0,
        QUERY_PORT: 0,
        CONSUMER_PORT: 0,
        ...(wiring.topics
          ? { TOPIC_CALL_RECORDS: wiring.topics.callRecords, TOPIC_REJECTED: wiring.topics.rejected, TOPIC_DLQ: wiring.topics.dlq }
          : {}),
        ...(wiring.group ? { CONSUMER_GROUP: wiring.group } : {}),
      });
      return startNodeProcess({ ...processOptions(label, port), service: name, env });
    },
    async bareIngress() {
      const port = await freePort();
      return startNodeProcess({
        ...processOptions('bare-ingress', port),
        service: 'ingress',
        entry: {
          script: 'bench/baseline/bare-ingress.ts',
          args: ['--port', String(port), '--body-limit', String(parts.config.BODY_LIMIT_BYTES)],
        },
        env: configEnvironment({ PATH: parts.config.PATH, HOME: parts.config.HOME }),
      });
    },
    watchCpu(processes) {
      return watchCpu({
        ...Object.fromEntries(processes.map((child) => [child.label, () => [child.pid]])),
        ...(parts.kafkaPid ? { kafka: () => [parts.kafkaPid!] } : {}),
        postgres: () => backendPids(parts.db.pool, parts.db.name),
      });
    },
  };
}
