import { kafkaRefusal, type RefusalLog } from '../../shared/kafka/refusal.ts';
import { backoffDelay, waitWithTicks, type BackoffPolicy } from './backoff.ts';

/**
 * After Kafka refused the consumer at start (credentials, certificate): tries to join again with a growing
 * delay until Kafka accepts it or the service closes. The refusal was logged once already; a refusal again
 * is not logged again, anything else is (the broker may also be down meanwhile).
 */
export interface JoinRetry {
  join(): Promise<void>;
  policy: BackoffPolicy;
  stopped(): boolean;
  log: RefusalLog & { warn(fields: object, message: string): void };
}

export async function joinWhenAccepted({ join, policy, stopped, log }: JoinRetry): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const waited = await waitWithTicks(backoffDelay(attempt, policy), { tickMs: 100, tick: async () => {}, shouldStop: stopped });
    if (waited === 'interrupted') return false;
    try {
      await join();
      log.info({}, 'Kafka accepted the connection; joined the consumer group');
      return true;
    } catch (error) {
      if (stopped()) return false;
      if (!kafkaRefusal(error)) log.warn({ error: (error as Error).message, attempt }, 'could not join the consumer group yet, retrying');
    }
  }
}
