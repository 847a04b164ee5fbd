import { z } from 'zod';
import {
  count,
  indexedText,
  indexedTextOrInteger,
  isStorableLocalTime,
  list,
  localTime,
  maxLengthMessage,
  optional,
  record,
  text,
  textOrInteger,
  typeError,
} from './fields.ts';
import { MAX_CALL_ID_LENGTH } from './limits.ts';

/**
 * The call-record callback a telephony platform POSTs (docs/callback.schema.json, generated from this schema). This one schema is the runtime
 * check, the TypeScript type and the published JSON Schema (docs/callback.schema.json). Objects are
 * loose: unknown fields travel on to Kafka, and unknown enum codes are kept because codes are plain integers.
 * Text that lands in an indexed column is bounded (limits.ts): phone numbers (the generated phone_number),
 * the contact's mobile and label names.
 */
const described = <T extends z.ZodType>(schema: T, description: string): T => schema.meta({ description });

export const dialogueLineSchema = record({
  callId: optional(text()),
  instanceId: optional(count()),
  robotId: optional(count()),
  robotDefId: optional(count()),
  dialogueRole: described(optional(count()), 'who spoke: 1 bot, 2 user, 9 system (other codes are kept)'),
  dialogueStartTime: described(optional(localTime()), 'when the line started (the seed labels it "end time")'),
  dialogueContent: optional(text()),
  dialogueRecordUrl: optional(text()),
  matchType: described(
    optional(count()),
    '1 question hit, 2 answer-branch hit, 3 node-repeat hit, 4 global-setting hit, 10 no hit; other codes are kept',
  ),
  matchResult: optional(text()),
  matchName: optional(text()),
});

export const instanceSchema = record({
  callId: optional(text()),
  instanceId: described(optional(count()), 'bot dialogue session id; exceeds 32 bits in practice'),
  robotId: optional(count()),
  robotDefId: described(optional(count()), 'bot definition (scenario) id'),
  robotName: described(optional(text()), 'scenario name'),
  dialogueStartTime: optional(localTime()),
  dialogueEndTime: optional(localTime()),
  dialogueDuration: described(optional(count()), 'seconds'),
  dialogueRecordUrl: optional(text()),
  dialogueRound: described(optional(count()), 'number of turns'),
  intentionLabelKey: optional(text()),
  intentionLabelName: optional(text()),
  labelInfoList: optional(list(record({ name: optional(indexedText()) }))),
  dialogueContentList: described(optional(list(dialogueLineSchema)), 'the lines of the dialogue, in order'),
});

export const contactVariateSchema = record({
  key: optional(text()),
  type: optional(text()),
  value: optional(textOrInteger()),
});

export const contactSchema = record({
  name: optional(text()),
  mobile: optional(indexedTextOrInteger()),
  companyName: optional(text()),
  remark: optional(text()),
  variates: described(
    optional(z.union([contactVariateSchema, list(contactVariateSchema)], { error: typeError('an object or an array of objects') })),
    'documented as one {key,type,value} object; senders send an array of them; both are kept as sent',
  ),
});

type CallTimes = { callStartTime?: unknown; callEndTime?: unknown };
const hasValidTimes = (value: unknown): boolean => {
  const times = typeof value === 'object' && value !== null ? (value as CallTimes) : {};
  return isStorableLocalTime(times.callStartTime) && isStorableLocalTime(times.callEndTime);
};

const recording = record({ recordUrl: optional(text()), recordType: optional(text()) });
const variable = record({ variableName: optional(text()), variableValue: optional(textOrInteger()) });

export const callbackSchema = z
  .looseObject(
    {
      // Bounded so that every stored call can be asked for by id (GET /v1/calls/{callId} takes up to 128).
      callId: described(
        text().min(1, 'must not be empty').max(MAX_CALL_ID_LENGTH, maxLengthMessage(MAX_CALL_ID_LENGTH)),
        'call identifier',
      ),
      workflow: described(count(), 'call kind: 1 inbound, 2 direct outbound, 3 two-way callback, 4 automatic outbound'),
      fromNumber: described(indexedTextOrInteger(), 'caller number'),
      toNumber: described(indexedTextOrInteger(), 'callee number'),
      relayNumber: described(indexedTextOrInteger(), 'relay (trunk) number'),
      callStartTime: described(localTime(), "call start, yyyy-MM-dd HH:mm:ss in the tenant's timezone"),
      callEndTime: described(localTime(), 'call end, same format; not before callStartTime'),
      callDuration: described(count(), 'total call time, seconds'),
      callRecordUrl: optional(text()),
      customerProvince: optional(text()),
      customerCity: optional(text()),
      routerId: optional(count()),
      routerName: optional(text()),
      transferAgentFlag: described(optional(count()), 'handed over to a human agent: 0 no, 1 yes'),
      agentId: optional(textOrInteger()),
      agentName: optional(text()),
      queueId: optional(textOrInteger()),
      queueName: optional(text()),
      robotNames: described(optional(list(text())), 'bot scenario names'),
      labelInfos: described(optional(list(indexedText())), 'ordinary tags'),
      instances: described(optional(list(instanceSchema)), 'bot dialogue sessions in this call'),
      variables: optional(list(variable)),
      intentionLabelKey: described(optional(text()), 'intent grade, e.g. "C"'),
      intentionLabelName: optional(text()),
      allRecordUrl: optional(list(recording)),
      adTaskId: described(optional(count()), 'outbound campaign (task) id'),
      adTaskName: optional(text()),
      contactDetailRel: described(optional(contactSchema), 'the contact dialled'),
      callResult: described(optional(count()), 'inbound result code'),
      calledResult: described(optional(count()), 'outbound result: 1 not connected, 2 connected'),
      agentCallDuration: described(optional(count()), 'human agent talk time, seconds'),
      hangupCause: described(optional(text()), 'why the call failed, free text'),
      hangupBy: described(optional(count()), 'who hung up: 1 customer, 2 agent, 3 system, 4 IVR, 5 external line'),
      customerNumber: described(
        optional(indexedTextOrInteger()),
        'documented as a string; a safe-integer JSON number is kept as its decimal string',
      ),
      remark: optional(text()),
      taskContactBatchName: described(optional(text()), 'contact list name'),
      userAnsweredFlag: described(optional(count()), 'effective call: 0 no, 1 yes'),
      userAnsweredCount: optional(count()),
      userAnsweredEffectiveCount: optional(count()),
      isFinalCall: described(optional(count()), '1 the last attempt for this contact, 0 not'),
      gender: described(optional(text()), 'male, female, unknown'),
    },
    // The body itself: an array, a string or null is not one callback (and inside an envelope, none is missing).
    { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a JSON object (one callback)') },
  )
  .refine((callback) => callback.callEndTime >= callback.callStartTime, {
    path: ['callEndTime'],
    message: 'must not be before callStartTime',
    // Checked whenever both times are valid, even if other fields are not, so one answer lists every problem.
    // Same fixed-width format, so the strings order as the times do.
    when: ({ value }) => hasValidTimes(value),
  })
  .meta({
    title: 'Call-record callback',
    description: 'One call record as a telephony platform POSTs it (docs/callback.schema.json). Unknown fields are kept.',
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
    if (typeof key === 'number') out += `[${key}]`;
    // A name that could not be told apart in dotted form (empty, or holding . [ ] ") is quoted as JSON.
    else if (AMBIGUOUS_NAME.test(String(key))) out += `[${JSON.stringify(String(key))}]`;
    else out += `${out ? '.' : ''}${String(key)}`;
  }
  return out || '(root)';
}

const AMBIGUOUS_NAME = /^$|[.[\]"]/;

export type CallbackParse = { ok: true; callback: Callback } | { ok: false; issues: CallbackIssue[] };

/** Checks an already parsed JSON value against the schema. */
export function parseCallback(body: unknown): CallbackParse {
  const result = callbackSchema.safeParse(body);
  if (result.success) return { ok: true, callback: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
  };
}
