import { defineCommand } from '../command.ts';
import { FILTER_OPTIONS, FILTER_SYNOPSIS } from './quarantined.ts';
import { readFilteredQuarantine } from './read-filtered.ts';

export const listCommand = defineCommand({
  name: 'list',
  summary: 'print each quarantined callback: event id, tenant, when received, why refused',
  arguments: [],
  options: FILTER_OPTIONS,
  synopsis: FILTER_SYNOPSIS,
  description: [
    'Reads the quarantine topic (TOPIC_REJECTED) as it is now and prints one line per callback refused with',
    '422, the oldest first (by receivedAt):',
    '{"eventId":…,"tenantId":…,"receivedAt":…,"issues":[{"path":…,"message":…}]}',
    'with "issueCount" and "issuesTruncated" as well when the issues were cut to the first 100. The',
    'eventId is the one the sender got in its 422 answer. A record of the topic that is not a quarantined',
    'callback is skipped with one line on stderr. Nothing is changed.',
  ].join('\n'),
  async run({ options }, context) {
    const records = await readFilteredQuarantine(options, context);
    for (const { record } of records) {
      context.print({
        eventId: record.eventId,
        tenantId: record.tenantId,
        receivedAt: record.receivedAt,
        issues: record.issues,
        ...(record.issueCount !== undefined ? { issueCount: record.issueCount } : {}),
        ...(record.issuesTruncated ? { issuesTruncated: true } : {}),
      });
    }
  },
});
