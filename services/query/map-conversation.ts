import { formatInstant } from '../../shared/local-time.ts';
import type { ConversationMessage } from './call-history-schema.ts';
import type { DialogueLineRow } from './calls-repository.ts';

/** Dialogue lines → commubo-style message objects (docs/query-api.md, conversations). Values that are absent are left out. */
const MESSAGE_TYPE_BY_ROLE: Record<number, 0 | 1 | 9> = { 1: 0, 2: 1, 9: 9 };

/** `lines` in call order (session by session, line by line); seq numbers them from 1 across sessions. */
export function mapConversation(lines: DialogueLineRow[], timeZone: string): ConversationMessage[] {
  return lines.map((line, index) => {
    const messageType = line.dialogue_role === null ? undefined : MESSAGE_TYPE_BY_ROLE[line.dialogue_role];
    return {
      seq: index + 1,
      ...(messageType !== undefined ? { messageType } : {}),
      ...(line.robot_id !== null ? { operator: { operatorId: String(line.robot_id) } } : {}),
      ...(line.match_name ? { nodeName: line.match_name } : {}),
      ...(line.content !== null ? { message: line.content } : {}),
      ...(line.started_at ? { messageDateTime: formatInstant(line.started_at, timeZone) } : {}),
    };
  });
}
