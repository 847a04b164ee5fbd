import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../shared/callback/envelope.ts';
import { headersOf, readAllRecords, startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * A callback that gets a 200 is on call-records.v1 with the documented key, headers and envelope
 * (SPEC sections 3 and 4), in all the forms senders use: the seed sample, nullable fields null or absent,
 * and every way of presenting the ingest token.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');
const REQUIRED = ['callId', 'workflow', 'fromNumber', 'toNumber', 'relayNumber', 'callStartTime', 'callEndTime', 'callDuration'];
const required = Object.fromEntries(REQUIRED.map((key) => [key, seed[key]]));
const nullable = Object.keys(seed).filter((key) => !REQUIRED.includes(key));
const withCallId = (callback: object, callId: string) => ({ ...callback, callId });
const allNull = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, null]));

const variants: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['the seed-000 sample', seed, { ...seed, customerNumber: '18770915633' }],
  ['every nullable field null', { ...required, ...allNull(nullable) }, { ...required, ...allNull(nullable) }],
  ['every nullable field absent', required, required],
  ...(() => {
    const nested = {
      ...required,
      instances: [{ ...allNull(Object.keys(seed.instances[0])), labelInfoList: [{ name: null }], dialogueContentList: [allNull(Object.keys(seed.instances[0].dialogueContentList[0]))] }],
      contactDetailRel: { ...allNull(Object.keys(seed.contactDetailRel)), variates: [{ key: null, type: null, value: null }] },
      variables: [{ variableName: null, variableValue: null }],
      allRecordUrl: [{ recordUrl: null, recordType: null }],
    };
    const nestedAbsent = { ...required, instances: [{ labelInfoList: [{}], dialogueContentList: [{}] }], contactDetailRel: { variates: {} }, variables: [{}], allRecordUrl: [{}] };
    return [
      ['every nested nullable field null', nested, nested],
      ['every nested nullable field absent (variates as one object)', nestedAbsent, nestedAbsent],
    ] as Array<[string, Record<string, unknown>, Record<string, unknown>]>;
  })(),
  ['unknown fields and unknown codes', { ...seed, workflow: 7, futureField: { nested: [1, 'two'] } }, { ...seed, workflow: 7, futureField: { nested: [1, 'two'] }, customerNumber: '18770915633' }],
];

describe('ingress accepts valid callbacks onto call-records.v1', () => {
  let ingress: TestIngress;
  const accepted: Array<{ eventId: string; callId: string; expected: Record<string, unknown> }> = [];

  beforeAll(async () => {
    ingress = await startTestIngress({ now: () => RECEIVED_AT });
  });
  afterAll(() => ingress?.close());

  it.each(variants.map(([name, sent, expected], index) => [name, sent, expected, `call-${index}`] as const))(
    'answers 200 to %s',
    async (_name, sent, expected, callId) => {
      const response = await ingress.post(withCallId(sent, callId));
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toEqual({ status: 'accepted', callId, eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      accepted.push({ eventId: body.eventId, callId, expected: withCallId(expected, callId) });
    },
  );

  it.each([
    ['Authorization: Bearer', (token: string) => ({ headers: { authorization: `Bearer ${token}` } })],
    ['x-callstream-token', (token: string) => ({ headers: { authorization: '', 'x-callstream-token': token } })],
    ['?token=', (token: string) => ({ headers: { authorization: '' }, query: `?token=${encodeURIComponent(token)}` })],
  ])('takes the ingest token from %s', async (_how, present) => {
    const callId = `token-${accepted.length}`;
    const { headers, query = '' } = present(ingress.tenant.ingestToken) as { headers: Record<string, string>; query?: string };
    const response = await ingress.post(withCallId(seed, callId), {
      headers,
      url: `/v1/tenants/${ingress.tenant.tenantId}/call-records${query}`,
    });
    expect(response.statusCode).toBe(200);
    accepted.push({ eventId: response.json().eventId, callId, expected: { ...seed, callId, customerNumber: '18770915633' } });
  });

  it.each([
    ['a wrong token', () => `/v1/tenants/${ingress.tenant.tenantId}/call-records`, 'not-the-token'],
    ['an unknown tenant', () => '/v1/tenants/00000000-0000-4000-8000-000000000000/call-records', 'any-token'],
    ['a tenant id that is not a UUID', () => '/v1/tenants/not-a-tenant/call-records', 'any-token'],
    ['no token at all', () => `/v1/tenants/${ingress.tenant.tenantId}/call-records`, ''],
  ])('answers the same 401 to %s, and keeps nothing of the body', async (_case, url, token) => {
    // An invalid body too: without a tenant nothing is quarantined either.
    const response = await ingress.post({ callId: 'unauthenticated' }, { url: url(), headers: { authorization: token ? `Bearer ${token}` : '' } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'unknown tenant or wrong ingest token' } });
  });

  it('has put exactly the accepted callbacks on the topic, with key, headers and envelope as documented', async () => {
    const records = await readAllRecords(ingress.kafka, ingress.topics.callRecords);
    expect(records).toHaveLength(accepted.length);
    const byEventId = new Map(records.map((record) => [headersOf(record)['event-id'], record]));
    for (const { eventId, callId, expected } of accepted) {
      const record = byEventId.get(eventId)!;
      expect(record.key?.toString()).toBe(`${ingress.tenant.tenantId}:${callId}`);
      expect(headersOf(record)).toEqual({
        'schema-version': '1',
        'event-id': eventId,
        'tenant-id': ingress.tenant.tenantId,
        'content-type': 'application/json',
      });
      const envelope = JSON.parse(record.value!.toString('utf8'));
      expect(envelope).toEqual({
        schemaVersion: 1,
        eventId,
        tenantId: ingress.tenant.tenantId,
        receivedAt: '2026-01-02T03:04:05.000Z',
        callback: expected,
      });
      expect(envelopeSchema.safeParse(envelope).success).toBe(true);
    }
    expect(await readAllRecords(ingress.kafka, ingress.topics.rejected)).toEqual([]);
  });
});
