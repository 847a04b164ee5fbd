import { killAllServices, startServiceProcess, type TestService } from '../../kit/service-process.ts';

/**
 * services/consumer/main.ts as its own process, exactly as deployed, configured only through the
 * environment: for tests that kill it, signal it or cut its database away. Started: a member of its
 * group, with Postgres reachable (/readyz).
 */
export type ConsumerProcess = TestService;

export interface ConsumerProcessEnv {
  DATABASE_URL: string;
  KAFKA_BROKERS: string;
  TOPIC_CALL_RECORDS: string;
  TOPIC_DLQ: string;
  CONSUMER_GROUP: string;
}

export function startConsumerProcess(env: ConsumerProcessEnv): Promise<ConsumerProcess> {
  return startServiceProcess('consumer', {
    env: {
      ...env,
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '2',
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
      CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
      CONSUMER_RETRY_INITIAL_MS: '100',
      CONSUMER_RETRY_MAX_MS: '1000',
    },
    startTimeoutMs: 30_000,
  });
}

/** For afterAll: no consumer outlives its test file, whatever failed. */
export const killConsumerProcesses = killAllServices;
