import { z } from 'zod';
import { parseLocalTime } from '../local-time.ts';

/**
 * The call-record callback a telephony platform POSTs (SPEC section 2). This one schema is the runtime
 * check, the TypeScript type and the published JSON Schema. Objects are loose: unknown fields travel on.
 */

/** Says what was wrong with a value of the wrong type: missing, null, or something else. */
const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : issue.input === null ? 'must not be null' : `must be ${expected}`;

/** Non-negative integer that survived JSON.parse exactly; above 2^53 the parsed number is already wrong. */
const count = () =>
  z
    .number({ error: typeError('a non-negative integer') })
    .refine((value) => Number.isInteger(value) && value >= 0, 'must be a non-negative integer')
    .refine(
      (value) => Number.isSafeInteger(value),
      'is beyond 2^53 and cannot be read exactly from JSON; send it as a string or a smaller number',
    );

const text = () => z.string({ error: typeError('a string') });

/** A documented string that some senders send as a JSON number: kept as its decimal string. */
const textOrInteger = () =>
  z
    .union(
      [
        text(),
        z
          .number()
          .refine(Number.isSafeInteger, 'must be a string, or an integer of at most 2^53 (larger numbers lose digits in JSON)'),
      ],
      { error: typeError('a string') },
    )
    .transform((value) => (typeof value === 'number' ? String(value) : value));

const localTime = () =>
  text().refine((value) => parseLocalTime(value) !== undefined, 'must be a real calendar time as yyyy-MM-dd HH:mm:ss');

const optional = <T extends z.ZodType>(schema: T) => schema.nullish();

export const dialogueLineSchema = z.looseObject({
  callId: optional(text()),
  instanceId: optional(count()),
  robotId: optional(count()),
  robotDefId: optional(count()),
  dialogueRole: optional(count()),
  dialogueStartTime: optional(localTime()),
  dialogueContent: optional(text()),
  dialogueRecordUrl: optional(text()),
  matchType: optional(count()),
  matchResult: optional(text()),
  matchName: optional(text()),
});

export const instanceSchema = z.looseObject({
  callId: optional(text()),
  instanceId: optional(count()),
  robotId: optional(count()),
  robotDefId: optional(count()),
  robotName: optional(text()),
  dialogueStartTime: optional(localTime()),
  dialogueEndTime: optional(localTime()),
  dialogueDuration: optional(count()),
  dialogueRecordUrl: optional(text()),
  dialogueRound: optional(count()),
  intentionLabelKey: optional(text()),
  intentionLabelName: optional(text()),
  labelInfoList: optional(z.array(z.looseObject({ name: optional(text()) }))),
  dialogueContentList: optional(z.array(dialogueLineSchema)),
});

export const contactVariateSchema = z.looseObject({
  key: optional(text()),
  type: optional(text()),
  value: optional(textOrInteger()),
});

export const contactSchema = z.looseObject({
  name: optional(text()),
  mobile: optional(textOrInteger()),
  companyName: optional(text()),
  remark: optional(text()),
  // Documented as one object; senders (the seed's own sample) send an array of them. Both are kept as sent.
  variates: optional(z.union([contactVariateSchema, z.array(contactVariateSchema)])),
});

export const callbackSchema = z
  .looseObject(
    {
    callId: text().min(1, 'must not be empty'),
    workflow: count(),
    fromNumber: textOrInteger(),
    toNumber: textOrInteger(),
    relayNumber: textOrInteger(),
    callStartTime: localTime(),
    callEndTime: localTime(),
    callDuration: count(),
    callRecordUrl: optional(text()),
    customerProvince: optional(text()),
    customerCity: optional(text()),
    routerId: optional(count()),
    routerName: optional(text()),
    transferAgentFlag: optional(count()),
    agentId: optional(textOrInteger()),
    agentName: optional(text()),
    queueId: optional(textOrInteger()),
    queueName: optional(text()),
    robotNames: optional(z.array(text())),
    labelInfos: optional(z.array(text())),
    instances: optional(z.array(instanceSchema)),
    variables: optional(z.array(z.looseObject({ variableName: optional(text()), variableValue: optional(textOrInteger()) }))),
    intentionLabelKey: optional(text()),
    intentionLabelName: optional(text()),
    allRecordUrl: optional(z.array(z.looseObject({ recordUrl: optional(text()), recordType: optional(text()) }))),
    adTaskId: optional(count()),
    adTaskName: optional(text()),
    contactDetailRel: optional(contactSchema),
    callResult: optional(count()),
    calledResult: optional(count()),
    agentCallDuration: optional(count()),
    hangupCause: optional(text()),
    hangupBy: optional(count()),
    customerNumber: optional(textOrInteger()),
    remark: optional(text()),
    taskContactBatchName: optional(text()),
    userAnsweredFlag: optional(count()),
    userAnsweredCount: optional(count()),
    userAnsweredEffectiveCount: optional(count()),
    isFinalCall: optional(count()),
    gender: optional(text()),
    },
    { error: typeError('a JSON object') },
  )
  .superRefine((callback, context) => {
    // Same format, so the strings order as the times do.
    if (callback.callEndTime < callback.callStartTime) {
      context.addIssue({ code: 'custom', path: ['callEndTime'], message: 'must not be before callStartTime' });
    }
  });

export type Callback = z.output<typeof callbackSchema>;
export type CallbackInstance = z.output<typeof instanceSchema>;
export type DialogueLine = z.output<typeof dialogueLineSchema>;

export interface CallbackIssue {
  path: string;
  message: string;
}

/** `instances[0].dialogueContentList[2].matchType`, or `(root)` for the body itself. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  }
  return out || '(root)';
}

export type CallbackParse = { ok: true; callback: Callback } | { ok: false; issues: CallbackIssue[] };

export function parseCallback(body: unknown): CallbackParse {
  const result = callbackSchema.safeParse(body);
  if (result.success) return { ok: true, callback: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
  };
}
