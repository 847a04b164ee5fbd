import { defineCommand } from '../command.ts';
import { FILTER_OPTIONS, FILTER_SYNOPSIS } from './quarantined.ts';
import { readFilteredQuarantine } from './read-filtered.ts';

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'print each quarantined record whole, its body exactly as the sender posted it',
  arguments: [],
  options: FILTER_OPTIONS,
  synopsis: FILTER_SYNOPSIS,
  description: [
    'Prints one line per quarantined record, the oldest first, as it is on the quarantine topic',
    '(TOPIC_REJECTED; docs/rejected-callback.schema.json): {"schemaVersion":1,"eventId":…,"tenantId":…,',
    '"receivedAt":…,"contentType":…,"body":…,"issues":[…]}, where "body" is the request body exactly as',
    'received, as a JSON string. Fix a body in the file (e.g. with jq: .body |= (fromjson | … | tojson))',
    'and give the file to `quarantine replay --from-file`. Records that are not quarantined callbacks are',
    'skipped with one line on stderr. Nothing is changed.',
  ].join('\n'),
  async run({ options }, context) {
    const records = await readFilteredQuarantine(options, context);
    // The value as written, unknown fields included: JSON.parse then JSON.stringify gives back the ingress's text.
    for (const { original } of records) context.print(original as object);
  },
});
