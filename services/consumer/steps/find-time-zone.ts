import type { Envelope } from '../../../shared/callback/envelope.ts';
import type { TimeZoneOf } from '../time-zone-cache.ts';
import { dlq, ok, type StepResult } from './step-result.ts';

/**
 * The tenant's time zone, in which the callback's local times are read. A tenant that does not exist
 * cannot be stored for; a lookup that fails (Postgres unreachable) is thrown, so the batch is retried.
 */
export async function findTimeZone(timeZoneOf: TimeZoneOf, envelope: Envelope): Promise<StepResult<string>> {
  const timeZone = await timeZoneOf(envelope.tenantId);
  return timeZone ? ok(timeZone) : dlq('UNKNOWN_TENANT', `tenant ${envelope.tenantId} does not exist`);
}
