import { describe, expect, it } from 'vitest';
import type { DialogueLineRow } from '../../services/query/calls-repository.ts';
import { conversationMessageSchema } from '../../services/query/call-history-schema.ts';
import { mapConversation } from '../../services/query/map-conversation.ts';

const lineRow = (overrides: Partial<DialogueLineRow>): DialogueLineRow => ({
  robot_id: 25233,
  dialogue_role: 1,
  started_at: new Date('2021-05-29T01:23:43Z'),
  content: 'こんにちは',
  match_name: '',
  ...overrides,
});

describe('mapConversation', () => {
  it('numbers lines from 1 across sessions and maps dialogueRole 1/2/9 to messageType 0/1/9', () => {
    const messages = mapConversation(
      [
        lineRow({ dialogue_role: 1 }),
        lineRow({ dialogue_role: 2, content: 'うん。', match_name: '無視', started_at: new Date('2021-05-29T01:23:49Z') }),
        lineRow({ dialogue_role: 9, robot_id: 777, content: '転送します', started_at: new Date('2021-05-29T01:24:00Z') }),
      ],
      'Asia/Tokyo',
    );
    expect(messages).toEqual([
      { seq: 1, messageType: 0, operator: { operatorId: '25233' }, message: 'こんにちは', messageDateTime: '2021-05-29T10:23:43+09:00' },
      {
        seq: 2,
        messageType: 1,
        operator: { operatorId: '25233' },
        nodeName: '無視',
        message: 'うん。',
        messageDateTime: '2021-05-29T10:23:49+09:00',
      },
      { seq: 3, messageType: 9, operator: { operatorId: '777' }, message: '転送します', messageDateTime: '2021-05-29T10:24:00+09:00' },
    ]);
    for (const message of messages) conversationMessageSchema.parse(message);
  });

  it('leaves out what is absent: an unknown role, no robot, no content, no time, an empty matchName', () => {
    expect(
      mapConversation([lineRow({ dialogue_role: 5, robot_id: null, content: null, started_at: null, match_name: '' })], 'Asia/Tokyo'),
    ).toEqual([{ seq: 1 }]);
    expect(mapConversation([lineRow({ dialogue_role: null })], 'Asia/Tokyo')[0]).not.toHaveProperty('messageType');
  });

  it('an empty conversation is an empty array', () => {
    expect(mapConversation([], 'Asia/Tokyo')).toEqual([]);
  });
});
