import { exactInteger, isObject, JsonNumber, serialize, type JsonModel } from './edge-json.ts';

/**
 * What Postgres must hold for a callback that was answered 2xx, derived from the sent body alone (the
 * field table of docs/callback.schema.json and the tables of docs/analytics.md), never from the product's code: the raw copy as the spec normalises it, every typed
 * column, every child row. Local times stay as text here; the test asks Postgres for their instants
 * (`timestamp at time zone`), so the instants do not come from the code under test either.
 */
export class LocalTime {
  constructor(readonly text: string) {}
}
export type Expected = string | null | LocalTime | (string | null)[] | Expected[];
export type ExpectedRow = Record<string, Expected>;

export interface ExpectedCall {
  /** The body with numbers where strings are documented turned into their decimal strings. */
  rawText: string;
  /** contact_variates as jsonb text, or null. */
  variatesText: string | null;
  call: ExpectedRow;
  instances: ExpectedRow[];
  lines: ExpectedRow[];
  labels: ExpectedRow[];
  variables: ExpectedRow[];
  recordings: ExpectedRow[];
}

type Obj = Record<string, JsonModel>;
const obj = (value: JsonModel | undefined): Obj | undefined => (isObject(value) ? value : undefined);
const items = (value: JsonModel | undefined): JsonModel[] => (Array.isArray(value) ? value : []);

/** A documented string sent as a number: kept as its decimal string (only safe integers get that far). */
const asText = (value: JsonModel | undefined): JsonModel | undefined =>
  typeof value === 'number' ? String(value) : value instanceof JsonNumber ? (exactInteger(value) ?? value.text) : value;

function normalised(body: Obj): Obj {
  const copy = structuredCopy(body) as Obj;
  const fix = (holder: Obj | undefined, key: string) => {
    if (holder && key in holder) holder[key] = asText(holder[key]) as JsonModel;
  };
  for (const key of ['fromNumber', 'toNumber', 'relayNumber', 'agentId', 'queueId', 'customerNumber']) fix(copy, key);
  for (const variable of items(copy.variables)) fix(obj(variable), 'variableValue');
  const contact = obj(copy.contactDetailRel);
  fix(contact, 'mobile');
  const variates = contact?.variates;
  for (const variate of Array.isArray(variates) ? variates : [variates]) fix(obj(variate), 'value');
  return copy;
}

function structuredCopy(value: JsonModel): JsonModel {
  if (value instanceof JsonNumber) return value;
  if (Array.isArray(value)) return value.map(structuredCopy);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, structuredCopy(item)]));
  return value;
}

const text = (value: JsonModel | undefined): Expected =>
  value === undefined || value === null ? null : typeof value === 'string' ? value : serialize(value);
const integer = (value: JsonModel | undefined): Expected => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || value instanceof JsonNumber) return exactInteger(value) ?? `not an integer: ${serialize(value)}`;
  return `not a number: ${serialize(value)}`;
};
const time = (value: JsonModel | undefined): Expected => (typeof value === 'string' && value !== '' ? new LocalTime(value) : null);
const texts = (value: JsonModel | undefined): Expected => (Array.isArray(value) ? value.map((item) => text(item) as string | null) : null);

export function expectedCall(sent: Obj): ExpectedCall {
  const body = normalised(sent);
  const contact = obj(body.contactDetailRel);
  const variates = contact?.variates;
  const instances = items(body.instances).map((instance) => obj(instance) ?? {});
  const workflow = integer(body.workflow);
  const customerNumber = text(body.customerNumber);
  const call: ExpectedRow = {
    call_id: text(body.callId),
    workflow,
    from_number: text(body.fromNumber),
    to_number: text(body.toNumber),
    relay_number: text(body.relayNumber),
    call_start_time: time(body.callStartTime),
    call_end_time: time(body.callEndTime),
    call_duration: integer(body.callDuration),
    call_record_url: text(body.callRecordUrl),
    customer_province: text(body.customerProvince),
    customer_city: text(body.customerCity),
    router_id: integer(body.routerId),
    router_name: text(body.routerName),
    transfer_agent_flag: integer(body.transferAgentFlag),
    agent_id: text(body.agentId),
    agent_name: text(body.agentName),
    queue_id: text(body.queueId),
    queue_name: text(body.queueName),
    robot_names: texts(body.robotNames),
    label_infos: texts(body.labelInfos),
    intention_label_key: text(body.intentionLabelKey),
    intention_label_name: text(body.intentionLabelName),
    ad_task_id: integer(body.adTaskId),
    ad_task_name: text(body.adTaskName),
    contact_name: text(contact?.name),
    contact_mobile: text(contact?.mobile),
    contact_company_name: text(contact?.companyName),
    contact_remark: text(contact?.remark),
    call_result: integer(body.callResult),
    called_result: integer(body.calledResult),
    agent_call_duration: integer(body.agentCallDuration),
    hangup_cause: text(body.hangupCause),
    hangup_by: integer(body.hangupBy),
    customer_number: customerNumber,
    remark: text(body.remark),
    task_contact_batch_name: text(body.taskContactBatchName),
    user_answered_flag: integer(body.userAnsweredFlag),
    user_answered_count: integer(body.userAnsweredCount),
    user_answered_effective_count: integer(body.userAnsweredEffectiveCount),
    is_final_call: integer(body.isFinalCall),
    gender: text(body.gender),
    // README: the other party's number, which the call-history lookups are indexed by.
    phone_number: workflow === '1' ? text(body.fromNumber) : customerNumber || text(body.toNumber),
  };
  const lines = instances.flatMap((instance, i) =>
    items(instance.dialogueContentList).map((item, j): ExpectedRow => {
      const line = obj(item) ?? {};
      const inherited = (key: string) => integer(line[key] ?? instance[key]);
      return {
        instance_seq: String(i + 1),
        seq: String(j + 1),
        instance_id: inherited('instanceId'),
        robot_id: inherited('robotId'),
        robot_def_id: inherited('robotDefId'),
        dialogue_role: integer(line.dialogueRole),
        started_at: time(line.dialogueStartTime),
        content: text(line.dialogueContent),
        record_url: text(line.dialogueRecordUrl),
        match_type: integer(line.matchType),
        match_result: text(line.matchResult),
        match_name: text(line.matchName),
      };
    }),
  );
  const labelNames = [
    ...items(body.labelInfos).map((name) => ({ instance_seq: null, name: text(name) })),
    ...instances.flatMap((instance, i) =>
      items(instance.labelInfoList).map((label) => ({ instance_seq: String(i + 1), name: text(obj(label)?.name) })),
    ),
  ];
  return {
    rawText: serialize(body),
    variatesText: variates === undefined || variates === null ? null : serialize(Array.isArray(variates) ? variates : [variates]),
    call,
    instances: instances.map((instance, i) => ({
      instance_seq: String(i + 1),
      instance_id: integer(instance.instanceId),
      robot_id: integer(instance.robotId),
      robot_def_id: integer(instance.robotDefId),
      robot_name: text(instance.robotName),
      dialogue_start_time: time(instance.dialogueStartTime),
      dialogue_end_time: time(instance.dialogueEndTime),
      dialogue_duration: integer(instance.dialogueDuration),
      dialogue_record_url: text(instance.dialogueRecordUrl),
      dialogue_round: integer(instance.dialogueRound),
      intention_label_key: text(instance.intentionLabelKey),
      intention_label_name: text(instance.intentionLabelName),
    })),
    lines,
    labels: labelNames.map((label, i) => ({ label_seq: String(i + 1), ...label })),
    variables: items(body.variables).map((item, i) => ({
      seq: String(i + 1),
      name: text(obj(item)?.variableName),
      value: text(obj(item)?.variableValue),
    })),
    recordings: items(body.allRecordUrl).map((item, i) => ({
      seq: String(i + 1),
      record_url: text(obj(item)?.recordUrl),
      record_type: text(obj(item)?.recordType),
    })),
  };
}

/** Every local time in the expectation, for one round trip to Postgres. */
export function localTimesOf(expected: ExpectedCall): string[] {
  const out = new Set<string>();
  for (const row of [expected.call, ...expected.instances, ...expected.lines]) {
    for (const value of Object.values(row)) if (value instanceof LocalTime) out.add(value.text);
  }
  return [...out];
}

/** The expectation with each local time replaced by its instant (epoch seconds as Postgres prints them). */
export function withInstants<T>(value: T, instants: Map<string, string>): T {
  if (value instanceof LocalTime) return (instants.get(value.text) ?? `no instant for ${value.text}`) as T;
  if (Array.isArray(value)) return value.map((item) => withInstants(item, instants)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withInstants(item, instants)])) as T;
  }
  return value;
}

const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
};

/**
 * Where stored and expected differ, one line per difference with values cut short: a megabyte-sized
 * row diffed by the test runner would take minutes per shrink step.
 */
export function differences(actual: unknown, expected: unknown, path = ''): string[] {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const out = actual.length === expected.length ? [] : [`${path}: ${actual.length} stored, ${expected.length} expected`];
    for (let i = 0; i < Math.min(actual.length, expected.length) && out.length < 10; i++)
      out.push(...differences(actual[i], expected[i], `${path}[${i}]`));
    return out;
  }
  if (actual && expected && typeof actual === 'object' && typeof expected === 'object') {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    return [...keys].flatMap((key) =>
      differences((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], path ? `${path}.${key}` : key),
    );
  }
  return Object.is(actual, expected) ? [] : [`${path}: stored ${shown(actual)}, expected ${shown(expected)}`];
}
