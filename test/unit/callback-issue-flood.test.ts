import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCallback } from '../../services/ingress/callback-body/decode-callback-body.ts';
import { boundIssueFloods, FLOOD_CHECK_FROM_BYTES } from '../../services/ingress/callback-body/issue-flood.ts';
import { listIssues, MAX_LISTED_ISSUES } from '../../services/ingress/callback-body/issue-list.ts';
import { rejectedCallbackSchema } from '../../services/ingress/quarantine-record.ts';
import { callbackSchema, parseCallback } from '../../shared/callback/schema.ts';

/**
 * A body of wrong array elements is cut before the schema sees it, once more issues than are listed were
 * found, and the issues listed are exactly the first ones of the whole body.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const ONE_MIB = 1024 * 1024;
const repeat = (value: unknown, count: number) => Array.from({ length: count }, () => value);
const firstIssues = (body: unknown) => {
  const parsed = parseCallback(body);
  return parsed.ok ? [] : parsed.issues.slice(0, MAX_LISTED_ISSUES);
};

/** [what, body] — each has more than MAX_LISTED_ISSUES issues somewhere, with other issues around them. */
const floods: Array<[string, Record<string, unknown>]> = [
  ['a flat flood', { ...seed, labelInfos: repeat(1, 5_000) }],
  ['a flood after valid elements', { ...seed, labelInfos: [...repeat('ok', 300), ...repeat(1, 5_000)] }],
  [
    'floods in two arrays, issues before and after',
    { ...seed, workflow: 'x', robotNames: repeat(2, 60), labelInfos: repeat(1, 60), instances: repeat(3, 60), gender: 4 },
  ],
  [
    'a nested flood, in a later instance',
    {
      ...seed,
      callId: undefined,
      instances: [
        ...seed.instances,
        { robotId: 'x', dialogueContentList: repeat({ dialogueRole: 'bot', matchType: 'y' }, 500) },
        { labelInfoList: repeat(7, 500) },
      ],
      allRecordUrl: repeat({ recordUrl: 1 }, 500),
    },
  ],
  ['variates as an array of wrong elements', { ...seed, contactDetailRel: { variates: repeat(1, 5_000) }, labelInfos: repeat(1, 200) }],
  ['objects of many wrong fields', { ...seed, instances: repeat({ robotId: 'a', instanceId: 'b', robotName: 1, dialogueRound: -1 }, 300) }],
];

describe('boundIssueFloods', () => {
  it.each(floods)('%s: the first issues are exactly those of the whole body', (_name, body) => {
    const bounded = boundIssueFloods(callbackSchema, body);
    expect(bounded.cut).toBe(true);
    const whole = firstIssues(body);
    expect(whole).toHaveLength(MAX_LISTED_ISSUES);
    expect(firstIssues(bounded.body)).toEqual(whole);
  });

  it('cuts a flat flood right after the element at which more issues than are listed were found', () => {
    const bounded = boundIssueFloods(callbackSchema, { ...seed, labelInfos: repeat(1, 5_000) }).body as { labelInfos: unknown[] };
    expect(bounded.labelInfos).toHaveLength(MAX_LISTED_ISSUES + 1);
  });

  it('leaves a body with at most as many issues as are listed untouched, and never changes its input', () => {
    const exactly = { ...seed, labelInfos: repeat(1, MAX_LISTED_ISSUES) };
    expect(boundIssueFloods(callbackSchema, exactly)).toEqual({ body: exactly, cut: false });
    const valid = { ...seed, labelInfos: repeat('a', 10_000) };
    expect(boundIssueFloods(callbackSchema, valid).body).toBe(valid);
    const flood = { ...seed, labelInfos: repeat(1, 500) };
    boundIssueFloods(callbackSchema, flood);
    expect(flood.labelInfos).toHaveLength(500);
  });
});

// Regression: a megabyte of `1,` in labelInfos made zod create 500k issues (a second of event loop each).
describe('decodeCallback of a megabyte of wrong array elements', () => {
  const head = JSON.stringify({ ...seed, labelInfos: [] });
  const count = Math.floor((ONE_MIB - Buffer.byteLength(head) - 64) / 2);
  const raw = head.replace('"labelInfos":[]', `"labelInfos":[${repeat('1', count).join(',')}]`);

  it('reports the first issues exactly and stops soon after', () => {
    expect(raw.length).toBeGreaterThan(FLOOD_CHECK_FROM_BYTES);
    const decoded = decodeCallback(raw);
    expect(decoded.kind).toBe('rejected');
    const issues = decoded.kind === 'rejected' ? decoded.issues : [];
    expect(issues).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(listIssues(issues)).toEqual({
      issues: Array.from({ length: MAX_LISTED_ISSUES }, (_, index) => ({ path: `labelInfos[${index}]`, message: 'must be a string' })),
      issueCount: MAX_LISTED_ISSUES + 1,
      issuesTruncated: true,
    });
  });
});

describe('listIssues', () => {
  const issue = (index: number) => ({ path: `labelInfos[${index}]`, message: 'must be a string' });
  it('keeps a short list as it is, with no count', () => {
    const issues = Array.from({ length: MAX_LISTED_ISSUES }, (_, index) => issue(index));
    expect(listIssues(issues)).toEqual({ issues });
  });
  it('lists the first issues of a longer list, with the count and the flag', () => {
    const issues = Array.from({ length: 250 }, (_, index) => issue(index));
    expect(listIssues(issues)).toEqual({ issues: issues.slice(0, MAX_LISTED_ISSUES), issueCount: 250, issuesTruncated: true });
  });
});

describe('the quarantine record with a capped list', () => {
  const record = {
    schemaVersion: 1,
    eventId: '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b',
    tenantId: 'tenant',
    receivedAt: '2026-02-03T04:05:06.000Z',
    contentType: 'application/json',
    body: '{}',
  };
  const issues = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ path: `labelInfos[${index}]`, message: 'must be a string' }));

  it('reads records written before the cap (no count, any number of issues) and records with the count', () => {
    expect(rejectedCallbackSchema.safeParse({ ...record, issues: issues(250) }).success).toBe(true);
    expect(rejectedCallbackSchema.safeParse({ ...record, ...listIssues(issues(250)) }).success).toBe(true);
  });

  it('refuses a count that says nothing was left out', () => {
    expect(rejectedCallbackSchema.safeParse({ ...record, issues: issues(3), issueCount: 3, issuesTruncated: true }).success).toBe(false);
    expect(rejectedCallbackSchema.safeParse({ ...record, issues: issues(3), issuesTruncated: false }).success).toBe(false);
  });
});

// Regression: `treeIssues.push(...list)` with a list of 170k inexact numbers overflowed the call stack, so a
// megabyte of `1e400,` was answered 500 and not quarantined.
describe('decodeCallback of a megabyte of numbers JSON.parse would change', () => {
  it('refuses it (422) instead of throwing', () => {
    const head = JSON.stringify({ ...seed, labelInfos: [] });
    const count = Math.floor((ONE_MIB - Buffer.byteLength(head) - 64) / 6);
    const decoded = decodeCallback(head.replace('"labelInfos":[]', `"labelInfos":[${repeat('1e400', count).join(',')}]`));
    expect(decoded.kind).toBe('rejected');
    const issues = decoded.kind === 'rejected' ? decoded.issues : [];
    expect(issues.length).toBeGreaterThan(MAX_LISTED_ISSUES);
    expect(issues[0]!.path).toBe('labelInfos[0]');
  });
});
