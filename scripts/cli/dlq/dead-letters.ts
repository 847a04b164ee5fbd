import type { Kafka } from 'kafkajs';
import type { Config } from '../../../shared/config.ts';
import type { TopicRecord } from '../../../shared/kafka/read-topic.ts';
import type { OptionSpecs } from '../command.ts';
import { readConfiguredTopic } from '../kafka.ts';
import { firstInOrder, sinceOption, SINCE_FORMS } from '../record-options.ts';
import { byDeadLetteredAt, deadLetteredAt } from './dead-letter.ts';

/** The dead letters on TOPIC_DLQ now, written at or after --since, the oldest first, at most --limit. */
export const SINCE_OPTION = {
  since: { type: 'string', value: 'ISO', description: `only dead letters written at or after ISO: ${SINCE_FORMS}` },
} as const satisfies OptionSpecs;

export interface DeadLetterFilter {
  since?: Date;
  limit?: number;
}

export function deadLetterSince(text: string | undefined): Date | undefined {
  return text === undefined ? undefined : sinceOption(text);
}

export async function readDeadLetters(kafka: Kafka, config: Config, filter: DeadLetterFilter): Promise<TopicRecord[]> {
  const selected = firstInOrder(byDeadLetteredAt, filter.limit);
  await readConfiguredTopic(kafka, config, 'TOPIC_DLQ', (record) => {
    if (filter.since === undefined || deadLetteredAt(record).getTime() >= filter.since.getTime()) selected.add(record);
  });
  return selected.items();
}
