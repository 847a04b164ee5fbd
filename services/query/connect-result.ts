/**
 * connectResult codes (an open set in commubo; these are ours). docs/query-api.md documents this same
 * table. A connected call is SUCCESSFUL; otherwise the first rule whose pattern matches hangupCause wins;
 * a call with no known cause is NO_ANSWER, and any other cause is FAILED.
 */
export const CONNECT_RESULT_CODES = ['SUCCESSFUL', 'BUSY', 'NO_ANSWER', 'REJECTED', 'FAILED'] as const;
export type ConnectResultCode = (typeof CONNECT_RESULT_CODES)[number];

export const CONNECT_RESULT_RULES: ReadonlyArray<{ code: ConnectResultCode; pattern: RegExp }> = [
  { code: 'BUSY', pattern: /busy|話中|忙|取り込み中/i },
  { code: 'REJECTED', pattern: /reject|拒否|拒接/i },
  { code: 'NO_ANSWER', pattern: /不在|无人接听|no answer/i },
];

export interface ConnectFacts {
  callDuration: number;
  hasDialogueLines: boolean;
  calledResult: number | null;
  hangupCause: string | null;
}

/** "Connected" means the call lasted and someone talked: a dialogue line, or the platform says connected (2). */
export function isConnected(facts: ConnectFacts): boolean {
  return facts.callDuration > 0 && (facts.hasDialogueLines || facts.calledResult === 2);
}

export function connectResult(facts: ConnectFacts): ConnectResultCode {
  if (isConnected(facts)) return 'SUCCESSFUL';
  const cause = facts.hangupCause?.trim();
  if (!cause) return 'NO_ANSWER';
  return CONNECT_RESULT_RULES.find((rule) => rule.pattern.test(cause))?.code ?? 'FAILED';
}
