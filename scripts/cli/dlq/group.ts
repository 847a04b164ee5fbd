import type { CommandGroup } from '../command.ts';
import { listCommand } from './list.ts';
import { replayCommand } from './replay.ts';

export const dlqGroup: CommandGroup = {
  name: 'dlq',
  summary: 'list and replay the records the consumer could not store (the dead-letter topic)',
  description: [
    'A record the consumer can never store (not an envelope, an unknown tenant, refused by Postgres) goes to',
    'the dead-letter topic (TOPIC_DLQ) with its error in the headers, and the consumer moves on. Once the',
    'cause is removed, replay sends the records back to the call-records topic.',
  ].join('\n'),
  commands: [listCommand, replayCommand],
  failures: [],
};
