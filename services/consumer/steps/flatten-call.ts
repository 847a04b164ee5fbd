import type { Callback } from '../../../shared/callback/schema.ts';
import type { Envelope } from '../../../shared/callback/envelope.ts';
import { localTimeToInstant } from '../../../shared/local-time.ts';
import { callReadModel } from './call-read-model.ts';
import { dlq, ok, type StepResult } from './step-result.ts';

/**
 * Callback → rows, as pure functions. Row objects are keyed by column name, in table order, so the
 * writer can hand them to Postgres as one JSON array per table.
 */
export interface RecordSource {
  partition: number;
  offset: string;
}

export interface CallRows {
  call: Record<string, unknown>;
  instances: Record<string, unknown>[];
  lines: Record<string, unknown>[];
  labels: Record<string, unknown>[];
  variables: Record<string, unknown>[];
  recordings: Record<string, unknown>[];
}

const orNull = <T>(value: T | null | undefined): T | null => (value === undefined ? null : value);

function instantOrNull(localTime: string | null | undefined, timeZone: string): string | null {
  return localTime ? localTimeToInstant(localTime, timeZone).toISOString() : null;
}

/** The contact's variates as an array, whether the sender sent one object (documented) or an array. */
function contactVariates(callback: Callback): unknown[] | null {
  const variates = callback.contactDetailRel?.variates;
  if (variates === undefined || variates === null) return null;
  return Array.isArray(variates) ? variates : [variates];
}

export function flattenCall(envelope: Envelope, timeZone: string, source: RecordSource): CallRows {
  const { callback } = envelope;
  // Postgres prints a uuid in lower case; rows are matched by key after the write, so use its form.
  const tenant_id = envelope.tenantId.toLowerCase();
  const call_id = callback.callId;
  const contact = callback.contactDetailRel;
  const instances = callback.instances ?? [];

  const call = {
    tenant_id,
    call_id,
    workflow: callback.workflow,
    from_number: callback.fromNumber,
    to_number: callback.toNumber,
    relay_number: callback.relayNumber,
    call_start_time: localTimeToInstant(callback.callStartTime, timeZone).toISOString(),
    call_end_time: localTimeToInstant(callback.callEndTime, timeZone).toISOString(),
    call_duration: callback.callDuration,
    call_record_url: orNull(callback.callRecordUrl),
    customer_province: orNull(callback.customerProvince),
    customer_city: orNull(callback.customerCity),
    router_id: orNull(callback.routerId),
    router_name: orNull(callback.routerName),
    transfer_agent_flag: orNull(callback.transferAgentFlag),
    agent_id: orNull(callback.agentId),
    agent_name: orNull(callback.agentName),
    queue_id: orNull(callback.queueId),
    queue_name: orNull(callback.queueName),
    robot_names: orNull(callback.robotNames),
    label_infos: orNull(callback.labelInfos),
    intention_label_key: orNull(callback.intentionLabelKey),
    intention_label_name: orNull(callback.intentionLabelName),
    ad_task_id: orNull(callback.adTaskId),
    ad_task_name: orNull(callback.adTaskName),
    contact_name: orNull(contact?.name),
    contact_mobile: orNull(contact?.mobile),
    contact_company_name: orNull(contact?.companyName),
    contact_remark: orNull(contact?.remark),
    contact_variates: contactVariates(callback),
    call_result: orNull(callback.callResult),
    called_result: orNull(callback.calledResult),
    agent_call_duration: orNull(callback.agentCallDuration),
    hangup_cause: orNull(callback.hangupCause),
    hangup_by: orNull(callback.hangupBy),
    customer_number: orNull(callback.customerNumber),
    remark: orNull(callback.remark),
    task_contact_batch_name: orNull(callback.taskContactBatchName),
    user_answered_flag: orNull(callback.userAnsweredFlag),
    user_answered_count: orNull(callback.userAnsweredCount),
    user_answered_effective_count: orNull(callback.userAnsweredEffectiveCount),
    is_final_call: orNull(callback.isFinalCall),
    gender: orNull(callback.gender),
    raw: callback,
    event_id: envelope.eventId,
    received_at: envelope.receivedAt,
    source_partition: source.partition,
    source_offset: source.offset,
  };

  const instanceRows = instances.map((instance, index) => ({
    tenant_id,
    call_id,
    instance_seq: index + 1,
    instance_id: orNull(instance.instanceId),
    robot_id: orNull(instance.robotId),
    robot_def_id: orNull(instance.robotDefId),
    robot_name: orNull(instance.robotName),
    dialogue_start_time: instantOrNull(instance.dialogueStartTime, timeZone),
    dialogue_end_time: instantOrNull(instance.dialogueEndTime, timeZone),
    dialogue_duration: orNull(instance.dialogueDuration),
    dialogue_record_url: orNull(instance.dialogueRecordUrl),
    dialogue_round: orNull(instance.dialogueRound),
    intention_label_key: orNull(instance.intentionLabelKey),
    intention_label_name: orNull(instance.intentionLabelName),
  }));

  const lines = instances.flatMap((instance, index) =>
    (instance.dialogueContentList ?? []).map((line, lineIndex) => ({
      tenant_id,
      call_id,
      instance_seq: index + 1,
      seq: lineIndex + 1,
      instance_id: orNull(line.instanceId ?? instance.instanceId),
      robot_id: orNull(line.robotId ?? instance.robotId),
      robot_def_id: orNull(line.robotDefId ?? instance.robotDefId),
      dialogue_role: orNull(line.dialogueRole),
      started_at: instantOrNull(line.dialogueStartTime, timeZone),
      content: orNull(line.dialogueContent),
      record_url: orNull(line.dialogueRecordUrl),
      match_type: orNull(line.matchType),
      match_result: orNull(line.matchResult),
      match_name: orNull(line.matchName),
    })),
  );

  const labelNames: { instance_seq: number | null; name: string | null }[] = [
    ...(callback.labelInfos ?? []).map((name) => ({ instance_seq: null, name })),
    ...instances.flatMap((instance, index) =>
      (instance.labelInfoList ?? []).map((label) => ({ instance_seq: index + 1, name: orNull(label.name) })),
    ),
  ];
  const labels = labelNames.map((label, index) => ({ tenant_id, call_id, label_seq: index + 1, ...label }));

  const variables = (callback.variables ?? []).map((variable, index) => ({
    tenant_id,
    call_id,
    seq: index + 1,
    name: orNull(variable.variableName),
    value: orNull(variable.variableValue),
  }));

  const recordings = (callback.allRecordUrl ?? []).map((recording, index) => ({
    tenant_id,
    call_id,
    seq: index + 1,
    record_url: orNull(recording.recordUrl),
    record_type: orNull(recording.recordType),
  }));

  return { call: { ...call, ...callReadModel(call, instanceRows, lines) }, instances: instanceRows, lines, labels, variables, recordings };
}

/**
 * The step: a callback the schema accepted that still cannot be turned into rows (a local time the zone
 * arithmetic cannot place) is a dead letter, not a retry.
 */
export function flattenStep(envelope: Envelope, timeZone: string, source: RecordSource): StepResult<CallRows> {
  try {
    return ok(flattenCall(envelope, timeZone, source));
  } catch (error) {
    return dlq('FLATTEN_FAILED', (error as Error).message);
  }
}
