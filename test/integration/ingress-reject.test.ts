import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNSAFE_INTEGER_MESSAGE } from '../../shared/callback/fields.ts';
import { MAX_JSON_DEPTH } from '../../services/ingress/callback-body/decode-callback-body.ts';
import { rejectedCallbackSchema } from '../../services/ingress/quarantine-record.ts';
import { headersOf, readAllMessages } from '../../kit/topic-reader.ts';
import { startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * Each kind of bad input gets its documented status and a JSON body with a stable code (docs/topic-contract.md);
 * every 422 is on the quarantine topic, body as sent; nothing refused reaches call-records.v1; and the
 * process goes on accepting afterwards.
 */
const seedText = readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8');
const seed = JSON.parse(seedText);
const RECEIVED_AT = new Date('2026-02-03T04:05:06.000Z');
const REQUIRED = ['callId', 'workflow', 'fromNumber', 'toNumber', 'relayNumber', 'callStartTime', 'callEndTime', 'callDuration'];
const without = (key: string) => JSON.stringify(Object.fromEntries(Object.entries(seed).filter(([name]) => name !== key)));
const TIME_MESSAGE = 'must be a real calendar time as yyyy-MM-dd HH:mm:ss';

const TOO_DEEP = `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`;
const changed = (change: object) => JSON.stringify({ ...seed, ...change });
const issue = (path: string, message: string) => [{ path, message }];

/** [what, body as sent, the exact issues of the 422] */
type Violation = [string, string, Array<{ path: string; message: string }>];
const schemaViolations: Violation[] = [
  ...REQUIRED.map((field): Violation => [`${field} missing`, without(field), issue(field, 'is required')]),
  ...REQUIRED.map((field): Violation => [`${field} null`, changed({ [field]: null }), issue(field, 'must not be null')]),
  ['workflow as a string', changed({ workflow: '3' }), issue('workflow', 'must be a non-negative integer')],
  ['fromNumber as a boolean', changed({ fromNumber: true }), issue('fromNumber', 'must be a string')],
  ['instances as an object', changed({ instances: {} }), issue('instances', 'must be an array')],
  [
    'a nested wrong type',
    changed({ instances: [{ dialogueContentList: [{ dialogueRole: 'bot' }] }] }),
    issue('instances[0].dialogueContentList[0].dialogueRole', 'must be a non-negative integer'),
  ],
  ['2021-02-30', changed({ callStartTime: '2021-02-30 10:23:43' }), issue('callStartTime', TIME_MESSAGE)],
  ['end before start', changed({ callEndTime: '2021-05-29 10:23:42' }), issue('callEndTime', 'must not be before callStartTime')],
  [
    'an id above 2^53',
    seedText.replace('"instanceId": 1622255025121140', '"instanceId": 9007199254740993'),
    issue('instances[0].instanceId', UNSAFE_INTEGER_MESSAGE),
  ],
  ['an array instead of an object', `[${seedText}]`, issue('(root)', 'must be a JSON object (one callback)')],
  ['deeply nested JSON', seedText.replace('{', `{"extra": ${'['.repeat(5000)}${']'.repeat(5000)},`), issue('(root)', TOO_DEEP)],
  ['900 KB of brackets', '['.repeat(900_000), issue('(root)', TOO_DEEP)],
];

const ONE_MIB = 1024 * 1024;
const JSON_ONLY = 'send the callback as a JSON object with Content-Type: application/json';
const EMPTY = 'the body is empty; send one callback as a JSON object';

/** [what, request, status, error.code, error.message] */
const otherRefusals: Array<[string, { body: string; contentType?: string }, number, string, string | RegExp]> = [
  ['not JSON', { body: '{"callId": ' }, 400, 'INVALID_JSON', 'the body is not valid JSON: Unexpected end of JSON input'],
  ['an empty body', { body: '' }, 400, 'EMPTY_BODY', EMPTY],
  ['a body of blanks', { body: '   ' }, 400, 'EMPTY_BODY', EMPTY],
  ['text/plain', { body: seedText, contentType: 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE', JSON_ONLY],
  ['a form', { body: 'callId=1', contentType: 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE', JSON_ONLY],
  [
    'a 1 MiB string field',
    { body: changed({ remark: 'x'.repeat(ONE_MIB) }) },
    413,
    'BODY_TOO_LARGE',
    `the body is larger than ${ONE_MIB} bytes`,
  ],
];

describe('ingress refuses bad input with its documented status and keeps every 422', () => {
  let ingress: TestIngress;
  type Listed = { issues: Array<{ path: string; message: string }>; issueCount?: number; issuesTruncated?: true };
  const quarantined = new Map<string, { body: string; listed: Listed }>();

  beforeAll(async () => {
    ingress = await startTestIngress({ now: () => RECEIVED_AT });
  });
  afterAll(() => ingress?.close());

  /** Posts `body`, expects exactly the 422 listing `listed`, and remembers it for the quarantine check below. */
  async function expectSchemaViolation(body: string, listed: Listed) {
    const response = await ingress.post(body);
    expect(response.statusCode).toBe(422);
    const answer = response.json();
    expect(answer).toEqual({
      error: {
        code: 'SCHEMA_VIOLATION',
        message: 'the callback does not match the schema; it was kept for inspection',
        ...listed,
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    quarantined.set(answer.error.eventId, { body, listed });
    return response;
  }

  it.each(schemaViolations)('answers 422 to %s, listing the exact issue', async (_name, body, issues) => {
    await expectSchemaViolation(body, { issues });
  });

  it.each(otherRefusals)(
    'answers %s with its documented status',
    async (_name, { body, contentType = 'application/json' }, status, code, message) => {
      const response = await ingress.post(body, { headers: { 'content-type': contentType } });
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toEqual({ error: { code, message: typeof message === 'string' ? message : expect.stringMatching(message) } });
    },
  );

  it('answers 415 to a body without a content type', async () => {
    const response = await ingress.app.inject({
      method: 'POST',
      url: `/v1/tenants/${ingress.tenant.tenantId}/call-records`,
      headers: { authorization: `Bearer ${ingress.tenant.ingestToken}` },
      payload: Buffer.from(seedText),
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 404 with a JSON body that does not echo the query string', async () => {
    const response = await ingress.app.inject({ method: 'POST', url: '/v1/call-records?token=secret-token' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for POST /v1/call-records' } });
  });

  it('still accepts a valid callback after all of that', async () => {
    const response = await ingress.post(seedText);
    expect(response.statusCode).toBe(200);
  });

  // Regression: the broker's default record limit (about 1 MB) once refused callbacks the body limit allows.
  it('accepts a callback just under the body limit: the topics take records that large', async () => {
    const body = changed({ remark: 'x'.repeat(ONE_MIB - seedText.length - 64) });
    expect(Buffer.byteLength(body)).toBeLessThan(ONE_MIB);
    const response = await ingress.post(body);
    expect(response.statusCode).toBe(200);
  });

  const wrongLabels = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ path: `labelInfos[${index}]`, message: 'must be a string' }));

  // Regression: a megabyte of wrong elements got a 30 MB answer listing 500k issues, and its quarantine record
  // was too large for the topic (413 RECORD_TOO_LARGE, the payload lost).
  it('answers 422 to a megabyte of wrong array elements with the first 100 issues, and keeps it', async () => {
    const head = changed({ labelInfos: [] });
    const count = Math.floor((ONE_MIB - Buffer.byteLength(head) - 64) / 2);
    const body = head.replace('"labelInfos":[]', `"labelInfos":[${Array(count).fill('1').join(',')}]`);
    expect(Buffer.byteLength(body)).toBeGreaterThan(ONE_MIB - 100);
    // The check stopped once more issues than are listed were found: the count says at least that many.
    const response = await expectSchemaViolation(body, { issues: wrongLabels(100), issueCount: 101, issuesTruncated: true });
    expect(response.body.length).toBeLessThan(10_000);
  });

  it('answers 422 to a small body of 300 wrong elements with the first 100 issues and the exact count', async () => {
    const body = changed({ labelInfos: Array(300).fill(1) });
    await expectSchemaViolation(body, { issues: wrongLabels(100), issueCount: 300, issuesTruncated: true });
  });

  it('has every 422 on the quarantine topic, body as sent, and nothing refused on call-records.v1', async () => {
    const records = await readAllMessages(ingress.kafka, ingress.topics.rejected);
    expect(records).toHaveLength(quarantined.size);
    for (const record of records) {
      const value = JSON.parse(record.value!.toString('utf8'));
      expect(rejectedCallbackSchema.safeParse(value).success).toBe(true);
      const sent = quarantined.get(value.eventId)!;
      expect(value).toEqual({
        schemaVersion: 1,
        eventId: expect.any(String),
        tenantId: ingress.tenant.tenantId,
        receivedAt: '2026-02-03T04:05:06.000Z',
        contentType: 'application/json',
        body: sent.body,
        ...sent.listed,
      });
      expect(record.key?.toString()).toBe(ingress.tenant.tenantId);
      expect(headersOf(record)).toEqual({
        'schema-version': '1',
        'event-id': value.eventId,
        'tenant-id': ingress.tenant.tenantId,
        'content-type': 'application/json',
        traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/),
      });
    }
    const accepted = await readAllMessages(ingress.kafka, ingress.topics.callRecords);
    expect(accepted).toHaveLength(2);
  });

  it('counts quarantined callbacks and answers by status in /metrics', async () => {
    const metrics = (await ingress.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`ingress_callbacks_quarantined_total{service="ingress"} ${quarantined.size}`);
    expect(metrics).toContain('ingress_records_produced_total{service="ingress"} 2');
    expect(metrics).toMatch(
      /http_requests_total\{method="POST",route="\/v1\/tenants\/:tenantId\/call-records",status_code="422",service="ingress"\} \d+/,
    );
  });
});
