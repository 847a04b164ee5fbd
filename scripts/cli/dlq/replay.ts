import { defineCommand } from '../command.ts';
import { withKafka } from '../kafka.ts';
import { republish } from '../republish.ts';
import { REPLAYED_FROM_HEADER, replayedMessage } from './dead-letter.ts';
import { deadLetterSince, readDeadLetters, SINCE_OPTION } from './dead-letters.ts';

export const replayCommand = defineCommand({
  name: 'replay',
  summary: 'send the dead letters back to the call-records topic, once their cause is removed',
  arguments: [],
  options: {
    ...SINCE_OPTION,
    'dry-run': { type: 'boolean', description: 'count what would be sent, send nothing' },
  },
  synopsis: '[--since ISO] [--dry-run]',
  description: [
    'Publishes each dead letter (TOPIC_DLQ), the oldest first, back to the call-records topic',
    '(TOPIC_CALL_RECORDS) as it was there: the same key (so the same partition), value and headers, without',
    `the consumer's error-* and source-* headers, and with the header ${REPLAYED_FROM_HEADER}: <dlq topic>:<partition>:<offset>`,
    'naming the dead letter. Remove the cause first (create the unknown tenant, deploy the fix): a record',
    'that still cannot be stored becomes a new dead letter, with the same mark. Prints one summary line:',
    '{"dryRun":false,"replayed":N,"byErrorCode":{"UNKNOWN_TENANT":N,…}}; with --dry-run nothing is sent.',
    'Replaying again is harmless: the consumer keeps one row per call, the delivery with the newest receivedAt.',
  ].join('\n'),
  async run({ options }, context) {
    const since = deadLetterSince(options.since);
    const config = context.config();
    const summary = await withKafka(config, async (kafka) => {
      const letters = await readDeadLetters(kafka, config, since ? { since } : {});
      const counts = new Map<string, number>();
      for (const letter of letters) {
        const code = letter.headers['error-code']?.toString() ?? '(none)';
        counts.set(code, (counts.get(code) ?? 0) + 1);
      }
      // In the order of the codes, whatever the order of the records: the same dead letters, the same line.
      const byErrorCode = Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1)));
      const messages = letters.map((letter) => replayedMessage(letter, config.TOPIC_DLQ));
      if (!options['dry-run']) await republish(kafka, config.TOPIC_CALL_RECORDS, messages, config);
      return { dryRun: options['dry-run'] === true, replayed: messages.length, byErrorCode };
    });
    context.print(summary);
  },
});
