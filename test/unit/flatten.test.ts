import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../shared/callback/envelope.ts';
import { parseCallback } from '../../shared/callback/schema.ts';
import { flattenCall, type CallRows } from '../../services/consumer/steps/flatten-call.ts';

/** Callback → rows, without a database: one case per rule of docs/analytics.md's tables and the seed sample's deviations. */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const TENANT = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const EVENT = '5b0c8c52-0d7e-4e0a-9d43-6a3f3b1f2e11';
const RECEIVED = new Date('2026-01-02T03:04:05.000Z');
const [seedInstance] = seed.instances;
const [seedLine] = seedInstance.dialogueContentList;

function flatten(overrides: Record<string, unknown>, options: { timeZone?: string; tenantId?: string } = {}): CallRows {
  const parsed = parseCallback({ ...seed, ...overrides });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const envelope = createEnvelope(options.tenantId ?? TENANT, parsed.callback, EVENT, RECEIVED);
  return flattenCall(envelope, options.timeZone ?? 'Asia/Tokyo', { partition: 4, offset: '9007199254740000' });
}

const instance = (overrides: Record<string, unknown>) => ({ ...seedInstance, ...overrides });
const line = (overrides: Record<string, unknown>) => ({ ...seedLine, ...overrides });

describe('flattenCall: the call row', () => {
  it.each([
    ['Asia/Tokyo', '2021-05-29 10:23:43', '2021-05-29T01:23:43.000Z'],
    ['America/New_York', '2021-05-29 10:23:43', '2021-05-29T14:23:43.000Z'],
    ['America/New_York', '2021-01-29 10:23:43', '2021-01-29T15:23:43.000Z'],
    // skipped by the spring-forward gap: read with the offset before it, as Postgres does
    ['America/New_York', '2021-03-14 02:30:00', '2021-03-14T07:30:00.000Z'],
    ['UTC', '2021-05-29 10:23:43', '2021-05-29T10:23:43.000Z'],
  ])('reads local times in the tenant zone %s: %s → %s', (timeZone, local, instant) => {
    const { call } = flatten({ callStartTime: local, callEndTime: local }, { timeZone });
    expect(call.call_start_time).toBe(instant);
    expect(call.call_end_time).toBe(instant);
  });

  it.each([
    ['customerNumber sent as a JSON number', { customerNumber: 18770915633 }, { customer_number: '18770915633' }],
    [
      'contact mobile sent as a JSON number',
      { contactDetailRel: { ...seed.contactDetailRel, mobile: 13800000000 } },
      { contact_mobile: '13800000000' },
    ],
    [
      'documented single variates object',
      { contactDetailRel: { ...seed.contactDetailRel, variates: { key: 'k', type: 'text', value: 'v' } } },
      { contact_variates: [{ key: 'k', type: 'text', value: 'v' }] },
    ],
    [
      'no contact',
      { contactDetailRel: null },
      { contact_name: null, contact_mobile: null, contact_company_name: null, contact_remark: null, contact_variates: null },
    ],
    [
      'absent optional fields',
      { robotNames: undefined, labelInfos: undefined, remark: undefined },
      { robot_names: null, label_infos: null, remark: null },
    ],
    ['empty arrays kept as empty', { robotNames: [], labelInfos: [] }, { robot_names: [], label_infos: [] }],
  ])('%s', (_name, overrides, expected) => {
    expect(flatten(overrides).call).toMatchObject(expected);
  });

  it('carries the delivery: tenant in canonical lower case, event, receivedAt, partition and offset', () => {
    const { call } = flatten({}, { tenantId: TENANT.toUpperCase() });
    expect(call).toMatchObject({
      tenant_id: TENANT,
      call_id: seed.callId,
      event_id: EVENT,
      received_at: '2026-01-02T03:04:05.000Z',
      source_partition: 4,
      source_offset: '9007199254740000',
    });
  });

  it('keeps the whole validated callback, unknown fields included, as raw', () => {
    const { call } = flatten({ futureField: { nested: [1, 2] } });
    expect(call.raw).toEqual({ ...seed, customerNumber: '18770915633', futureField: { nested: [1, 2] } });
  });
});

describe('flattenCall: child rows', () => {
  it('numbers sessions, and lines within each session, from 1 in callback order', () => {
    const rows = flatten({
      instances: [
        instance({ instanceId: 11, dialogueContentList: [line({ dialogueContent: 'a' }), line({ dialogueContent: 'b' })] }),
        instance({ instanceId: 22, dialogueContentList: [line({ dialogueContent: 'c' })] }),
      ],
    });
    expect(rows.instances.map((row) => [row.instance_seq, row.instance_id])).toEqual([
      [1, 11],
      [2, 22],
    ]);
    expect(rows.lines.map((row) => [row.instance_seq, row.seq, row.content])).toEqual([
      [1, 1, 'a'],
      [1, 2, 'b'],
      [2, 1, 'c'],
    ]);
  });

  it('fills a line without its own ids from its session, and keeps unknown match codes', () => {
    const rows = flatten({
      instances: [
        instance({
          instanceId: 7,
          robotId: 8,
          robotDefId: 9,
          dialogueContentList: [{ dialogueRole: 9, dialogueContent: 'system', matchType: 42, dialogueStartTime: '2021-05-29 10:23:50' }],
        }),
      ],
    });
    expect(rows.lines).toEqual([
      {
        tenant_id: TENANT,
        call_id: seed.callId,
        instance_seq: 1,
        seq: 1,
        instance_id: 7,
        robot_id: 8,
        robot_def_id: 9,
        dialogue_role: 9,
        started_at: '2021-05-29T01:23:50.000Z',
        content: 'system',
        record_url: null,
        match_type: 42,
        match_result: null,
        match_name: null,
      },
    ]);
  });

  it('lists the call tags first, then each session tag with its session, numbered across both', () => {
    const rows = flatten({
      labelInfos: ['果物', '重要'],
      instances: [instance({ labelInfoList: [{ name: 'x' }] }), instance({ labelInfoList: [{ name: 'y' }, { name: null }] })],
    });
    expect(rows.labels.map(({ label_seq, instance_seq, name }) => ({ label_seq, instance_seq, name }))).toEqual([
      { label_seq: 1, instance_seq: null, name: '果物' },
      { label_seq: 2, instance_seq: null, name: '重要' },
      { label_seq: 3, instance_seq: 1, name: 'x' },
      { label_seq: 4, instance_seq: 2, name: 'y' },
      { label_seq: 5, instance_seq: 2, name: null },
    ]);
  });

  it.each([
    [
      'variables',
      { variables: [{ variableName: 'age', variableValue: 18 }, { variableName: 'city' }] },
      'variables',
      [
        { seq: 1, name: 'age', value: '18' },
        { seq: 2, name: 'city', value: null },
      ],
    ],
    [
      'recordings',
      { allRecordUrl: [{ recordUrl: 'u1', recordType: 'ivr' }, { recordUrl: 'u2' }] },
      'recordings',
      [
        { seq: 1, record_url: 'u1', record_type: 'ivr' },
        { seq: 2, record_url: 'u2', record_type: null },
      ],
    ],
  ] as const)('%s: one row each, in order', (_name, overrides, key, expected) => {
    const rows = flatten(overrides)[key];
    expect(rows).toEqual(expected.map((row) => ({ tenant_id: TENANT, call_id: seed.callId, ...row })));
  });

  it.each([
    ['null', { instances: null, variables: null, allRecordUrl: null, labelInfos: null }],
    ['empty', { instances: [], variables: [], allRecordUrl: [], labelInfos: [] }],
  ])('writes no child rows for %s arrays', (_name, overrides) => {
    const rows = flatten(overrides);
    expect([rows.instances, rows.lines, rows.labels, rows.variables, rows.recordings]).toEqual([[], [], [], [], []]);
  });

  it('keeps a session time null when the sender left it out', () => {
    const rows = flatten({ instances: [instance({ dialogueStartTime: null, dialogueEndTime: undefined, dialogueContentList: [] })] });
    expect(rows.instances[0]).toMatchObject({ dialogue_start_time: null, dialogue_end_time: null });
  });
});
