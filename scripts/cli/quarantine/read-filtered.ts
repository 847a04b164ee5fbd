import type { CommandContext } from '../command.ts';
import { withDatabase } from '../database.ts';
import { withKafka } from '../kafka.ts';
import { checkFilterTenant, quarantineFilter, readQuarantine, unreadableLine, type Quarantined } from './quarantined.ts';

/**
 * What `quarantine list` and `export` print from: the quarantined records the filter options select (the
 * tenant checked first), with one line on stderr for each record of the topic that is not one.
 */
export async function readFilteredQuarantine(
  options: { tenant?: string; since?: string; limit?: string },
  context: CommandContext,
): Promise<Quarantined[]> {
  const filter = quarantineFilter(options);
  const config = context.config();
  if (filter.tenantId !== undefined) await withDatabase(config, (db) => checkFilterTenant(db, filter));
  const { records, unreadable } = await withKafka(config, (kafka) => readQuarantine(kafka, config, filter));
  for (const skipped of unreadable) context.warn(unreadableLine(config, skipped));
  return records;
}
