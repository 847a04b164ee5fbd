import { describe, expect, it } from 'vitest';
import type { CallSummaryRow } from '../../services/query/call-summary-sql.ts';
import { callHistorySchema } from '../../services/query/call-history-schema.ts';
import { customerIdFor, mapCallHistory } from '../../services/query/map-call-history.ts';

/** docs/query-api.md's mapping table, row by row, on the pure mapper (stored row → call-history object). */
const TENANT = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const TOKYO = 'Asia/Tokyo';

/** The seed-000 sample as the repository reads it. */
function row(overrides: Partial<CallSummaryRow> = {}): CallSummaryRow {
  return {
    call_id: 'eff790c4-90a5-4453-990c-ff7d4aa30914',
    workflow: 3,
    phone_number: '18770915633',
    call_start_time: new Date('2021-05-29T01:23:43Z'),
    position_time: '2021-05-29T01:23:43.000000Z',
    call_duration: 14,
    called_result: 1,
    hangup_cause: 'お客様が取り込み中',
    remark: '',
    received_at: new Date('2026-01-02T03:04:05Z'),
    customer_number: '18770915633',
    contact_name: 'zmh',
    contact_mobile: '18770915633',
    contact_company_name: '沃豊科技',
    contact_remark: '美しく心優しい',
    has_contact: true,
    contact_first_stored_at: new Date('2026-01-02T03:04:05Z'),
    contact_last_stored_at: new Date('2026-01-02T03:04:05Z'),
    robot_id: 25233,
    robot_name: 'Fテスト_英語1',
    robot_def_id: 30724,
    has_instance: true,
    has_dialogue_lines: true,
    first_line_at: new Date('2021-05-29T01:23:43Z'),
    check_point: 'デフォルト',
    ...overrides,
  };
}

const map = (overrides: Partial<CallSummaryRow> = {}, timeZone = TOKYO) =>
  callHistorySchema.parse(mapCallHistory(row(overrides), TENANT, timeZone));

describe('mapCallHistory (docs/query-api.md, row by row)', () => {
  it('maps the seed-000 sample to the checked-in expected object', async () => {
    const { default: expected } = await import('../fixtures/seed-000-call-history.json');
    expect(map()).toEqual(expected);
  });

  it('callId: the callback callId', () => {
    expect(map({ call_id: 'abc-1' }).callId).toBe('abc-1');
  });

  it.each([
    [1, 0],
    [2, 1],
    [4, 1],
    [3, 2],
  ])('callType: workflow %i → %i', (workflow, callType) => {
    expect(map({ workflow }).callType).toBe(callType);
  });

  it.each([0, 5, 99])('callType: workflow %i is left out', (workflow) => {
    expect(map({ workflow })).not.toHaveProperty('callType');
  });

  it('relatedCallId: never present (the callback has no such field)', () => {
    expect(map()).not.toHaveProperty('relatedCallId');
  });

  it('phoneNumber: the stored number of the other party; left out when there is none', () => {
    expect(map({ phone_number: '0330001234' }).phoneNumber).toBe('0330001234');
    expect(map({ phone_number: null })).not.toHaveProperty('phoneNumber');
    expect(map({ phone_number: '' })).not.toHaveProperty('phoneNumber');
  });

  it("callDateTime: callStartTime in ISO 8601 with the tenant's offset", () => {
    expect(map().callDateTime).toBe('2021-05-29T10:23:43+09:00');
    expect(map({}, 'America/New_York').callDateTime).toBe('2021-05-28T21:23:43-04:00');
    expect(map({ call_start_time: new Date('2021-01-15T12:00:00Z') }, 'America/New_York').callDateTime).toBe('2021-01-15T07:00:00-05:00');
  });

  it('connectedDateTime and talkTime: connected with dialogue → the first line and callDuration', () => {
    const mapped = map({ first_line_at: new Date('2021-05-29T01:23:45Z') });
    expect(mapped.connectedDateTime).toBe('2021-05-29T10:23:45+09:00');
    expect(mapped.talkTime).toBe(14);
  });

  it('connectedDateTime: connected by calledResult 2 without dialogue → callStartTime', () => {
    const mapped = map({ has_dialogue_lines: false, first_line_at: null, called_result: 2, has_instance: false });
    expect(mapped.connectedDateTime).toBe('2021-05-29T10:23:43+09:00');
    expect(mapped.talkTime).toBe(14);
    expect(mapped.connectResult).toBe('SUCCESSFUL');
  });

  it('not connected (callDuration 0): no connectedDateTime, talkTime or checkPoint', () => {
    const mapped = map({ call_duration: 0 });
    expect(mapped).not.toHaveProperty('connectedDateTime');
    expect(mapped).not.toHaveProperty('talkTime');
    expect(mapped).not.toHaveProperty('checkPoint');
    expect(mapped.connectResult).toBe('BUSY');
  });

  it('not connected (no dialogue, calledResult 1): no connectedDateTime, talkTime or checkPoint', () => {
    const mapped = map({ has_dialogue_lines: false, first_line_at: null, called_result: 1, hangup_cause: null });
    expect(mapped).not.toHaveProperty('connectedDateTime');
    expect(mapped).not.toHaveProperty('talkTime');
    expect(mapped).not.toHaveProperty('checkPoint');
    expect(mapped.connectResult).toBe('NO_ANSWER');
  });

  it.each([
    ['SUCCESSFUL', {}],
    ['BUSY', { call_duration: 0, hangup_cause: 'お客様が取り込み中' }],
    ['NO_ANSWER', { call_duration: 0, hangup_cause: null }],
    ['NO_ANSWER', { call_duration: 0, hangup_cause: '不在' }],
    ['REJECTED', { call_duration: 0, hangup_cause: '着信拒否' }],
    ['FAILED', { call_duration: 0, hangup_cause: '回線エラー' }],
  ] as const)('connectResult %s', (code, overrides) => {
    expect(map(overrides).connectResult).toBe(code);
  });

  it('checkPoint: the stored checkpoint when connected; left out when there is none', () => {
    expect(map({ check_point: 'ノードA' }).checkPoint).toBe('ノードA');
    expect(map({ check_point: null })).not.toHaveProperty('checkPoint');
    expect(map({ check_point: '' })).not.toHaveProperty('checkPoint');
  });

  it('customer: from the contact, with a stable id derived from tenant and mobile', () => {
    const customer = map({
      contact_name: '鈴木 一郎',
      contact_mobile: '09011112222',
      customer_number: '0330001234',
      contact_first_stored_at: new Date('2026-01-01T00:00:00Z'),
      contact_last_stored_at: new Date('2026-01-03T00:00:00Z'),
    }).customer;
    expect(customer).toEqual({
      customerId: customerIdFor(TENANT, '09011112222'),
      createdDateTime: '2026-01-01T09:00:00+09:00',
      updatedDateTime: '2026-01-03T09:00:00+09:00',
      familyName: '鈴木',
      personalName: '一郎',
      phoneNumbers: ['09011112222', '0330001234'],
      orgName: '沃豊科技',
      note: '美しく心優しい',
    });
    expect(customerIdFor(TENANT, '09011112222')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(customerIdFor('11111111-2222-3333-4444-555555555555', '09011112222')).not.toBe(customerIdFor(TENANT, '09011112222'));
  });

  it('customer: the name splits on the first (also full-width) space, else all of it is familyName', () => {
    expect(map({ contact_name: '山田\u3000花子 さん' }).customer).toMatchObject({ familyName: '山田', personalName: '花子 さん' });
    expect(map({ contact_name: 'zmh' }).customer).toMatchObject({ familyName: 'zmh' });
    expect(map({ contact_name: 'zmh' }).customer).not.toHaveProperty('personalName');
  });

  it('customer: phoneNumbers without duplicates; empty fields left out', () => {
    const customer = map({ contact_name: null, contact_company_name: '', contact_remark: null, customer_number: '18770915633' }).customer;
    expect(customer).toEqual({
      customerId: customerIdFor(TENANT, '18770915633'),
      createdDateTime: '2026-01-02T12:04:05+09:00',
      updatedDateTime: '2026-01-02T12:04:05+09:00',
      phoneNumbers: ['18770915633'],
    });
  });

  it('no contact: no customer', () => {
    expect(
      map({ has_contact: false, contact_name: null, contact_mobile: null, contact_company_name: null, contact_remark: null }),
    ).not.toHaveProperty('customer');
  });

  it('operator and scenario: from the first bot session', () => {
    const mapped = map({ robot_id: 7, robot_name: 'ボットA', robot_def_id: 70 });
    expect(mapped.operator).toEqual({ operatorId: '7', name: 'ボットA' });
    expect(mapped.scenario).toEqual({ scenarioId: '70' });
  });

  it('no instances: no operator, no scenario', () => {
    const mapped = map({ has_instance: false, robot_id: null, robot_name: null, robot_def_id: null, check_point: null });
    expect(mapped).not.toHaveProperty('operator');
    expect(mapped).not.toHaveProperty('scenario');
  });

  it('note: remark; left out when empty', () => {
    expect(map({ remark: '折り返し希望' }).note).toBe('折り返し希望');
    expect(map({ remark: '' })).not.toHaveProperty('note');
    expect(map({ remark: null })).not.toHaveProperty('note');
  });

  it('expand: unexpanded customer and operator carry only their ids', () => {
    const mapped = mapCallHistory(row(), TENANT, TOKYO, { customer: false, operator: false });
    expect(mapped.customer).toEqual({ customerId: customerIdFor(TENANT, '18770915633') });
    expect(mapped.operator).toEqual({ operatorId: '25233' });
    expect(mapCallHistory(row(), TENANT, TOKYO, { customer: true, operator: false }).customer).toEqual(map().customer);
    expect(mapCallHistory(row(), TENANT, TOKYO, { customer: false, operator: true }).operator).toEqual(map().operator);
  });

  it('never answers null for a field', () => {
    const sparse = map({
      workflow: 9,
      phone_number: null,
      call_duration: 0,
      hangup_cause: null,
      remark: null,
      has_contact: false,
      has_instance: false,
      robot_id: null,
      robot_name: null,
      robot_def_id: null,
      has_dialogue_lines: false,
      first_line_at: null,
      check_point: null,
    });
    expect(sparse).toEqual({
      callId: 'eff790c4-90a5-4453-990c-ff7d4aa30914',
      callDateTime: '2021-05-29T10:23:43+09:00',
      connectResult: 'NO_ANSWER',
    });
  });
});
