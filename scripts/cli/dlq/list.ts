import { defineCommand } from '../command.ts';
import { withKafka } from '../kafka.ts';
import { limitOption, MAX_LIMIT } from '../record-options.ts';
import { deadLetterSummary } from './dead-letter.ts';
import { deadLetterSince, readDeadLetters, SINCE_OPTION } from './dead-letters.ts';

export const listCommand = defineCommand({
  name: 'list',
  summary: 'print each dead letter: where it came from, and the error that stopped it',
  arguments: [],
  options: {
    ...SINCE_OPTION,
    limit: { type: 'string', value: 'N', description: `at most N dead letters (1 to ${MAX_LIMIT}), the oldest first` },
  },
  synopsis: '[--since ISO] [--limit N]',
  description: [
    'Reads the dead-letter topic (TOPIC_DLQ) as it is now and prints one line per record the consumer could',
    'not store, the oldest first:',
    '{"partition":…,"offset":…,"deadLetteredAt":…,"errorCode":…,"errorMessage":…,"sourceTopic":…,',
    '"sourcePartition":…,"sourceOffset":…,"key":…}, with "errorSqlState" when Postgres refused it.',
    "partition and offset are the dead letter's own; the source ones where the record was on the",
    "call-records topic; the error ones what the consumer's headers say. Nothing is changed.",
  ].join('\n'),
  async run({ options }, context) {
    const since = deadLetterSince(options.since);
    const limit = options.limit === undefined ? undefined : limitOption(options.limit);
    const config = context.config();
    const letters = await withKafka(config, (kafka) =>
      readDeadLetters(kafka, config, { ...(since ? { since } : {}), ...(limit ? { limit } : {}) }),
    );
    for (const letter of letters) context.print(deadLetterSummary(letter));
  },
});
