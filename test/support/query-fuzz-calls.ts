/**
 * The calls the query fuzzer stores for two tenants, and what the list endpoint should answer from them,
 * worked out from the calls themselves: each call's day in its tenant's timezone and its instant (both
 * zones have had a fixed offset since long before 2021), ordered by instant, then callId.
 *
 * Tenant A's calls start on even seconds and tenant B's on odd ones, so no position of one tenant equals a
 * position of the other. The only calls sharing an instant are the tie groups, whose ids are lowercase
 * letters and digits of one length: every collation orders those alike. Some ids are stored by both
 * tenants, each tenant's with its own remark (the answer's `note`), so a call of the wrong tenant shows.
 */
export type TenantKey = 'A' | 'B';

export interface FuzzTenantSpec {
  timezone: string;
  offsetMinutes: number;
  /** The remark of every call of the tenant: the `note` of each answer. */
  marker: string;
}

export const TENANTS: Record<TenantKey, FuzzTenantSpec> = {
  A: { timezone: 'Asia/Tokyo', offsetMinutes: 9 * 60, marker: 'stored for tenant A' },
  B: { timezone: 'Asia/Kolkata', offsetMinutes: 5 * 60 + 30, marker: 'stored for tenant B' },
};

/** Ids stored by both tenants. */
export const SHARED_IDS = ['shared-0', 'shared-1', 'shared-2', 'shared-3'];

/** Ids the ingress accepts that a URL must encode, or that look like paths: each must be found by its encoding. */
const AWKWARD_IDS = [
  'call id/あ?#%',
  '.',
  '..',
  'a%2Fb',
  '😀 emoji',
  'O\'Brien";--',
  'ΑΒΓ',
  '\u202Eevil',
  'CaseSensitive',
  '+plus+',
  'x'.repeat(128),
];

/** [callId, local start time]; seconds even for A, odd for B. */
const SENT: Record<TenantKey, Array<[string, string]>> = {
  A: [
    ['a-first', '2021-06-01 00:00:00'],
    ...AWKWARD_IDS.map((id, index): [string, string] => [id, `2021-06-01 ${String(8 + index).padStart(2, '0')}:15:02`]),
    ['shared-0', '2021-06-01 21:00:00'],
    ...['tie0a', 'tie0b', 'tie0c', 'tie0d'].map((id): [string, string] => [id, '2021-06-02 12:00:00']),
    ['shared-1', '2021-06-02 12:00:02'],
    ['a-00', '2021-06-02 23:59:58'],
    ['shared-2', '2021-06-03 00:00:00'],
    ...['tie1a', 'tie1b'].map((id): [string, string] => [id, '2021-06-03 08:30:00']),
    ...Array.from({ length: 6 }, (_, index): [string, string] => [`a-0${index + 1}`, `2021-06-03 1${index}:00:00`]),
    ['shared-3', '2021-06-04 06:00:00'],
    ['a-last', '2021-06-04 23:59:58'],
    ['a-later', '2021-06-06 12:00:00'],
  ],
  B: [
    ['b-before', '2021-05-31 23:59:59'],
    ['b-first', '2021-06-01 00:00:01'],
    ['shared-0', '2021-06-01 09:00:01'],
    ['casesensitive', '2021-06-01 10:00:01'],
    ['shared-1', '2021-06-02 12:00:01'],
    ...Array.from({ length: 6 }, (_, index): [string, string] => [`b-0${index}`, `2021-06-02 1${index}:30:01`]),
    ['shared-2', '2021-06-03 00:00:01'],
    ...['tie2a', 'tie2b', 'tie2c'].map((id): [string, string] => [id, '2021-06-03 12:00:01']),
    ['shared-3', '2021-06-04 23:59:59'],
  ],
};

export interface FuzzCall {
  callId: string;
  /** callStartTime as sent: tenant-local. */
  local: string;
  /** The local day, YYYY-MM-DD: what start and end select on. */
  day: string;
  /** The instant, as a cursor position would write it: UTC to the microsecond. */
  at: string;
}

/** A place in the ordering: after every call that sorts before it. */
export interface ListPosition {
  at: string;
  callId: string;
}

function callOf(tenant: TenantKey, [callId, local]: [string, string]): FuzzCall {
  const asUtc = Date.parse(`${local.replace(' ', 'T')}Z`);
  const at = new Date(asUtc - TENANTS[tenant].offsetMinutes * 60_000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return { callId, local, day: local.slice(0, 10), at };
}

const before = (a: ListPosition, b: ListPosition) => a.at < b.at || (a.at === b.at && a.callId < b.callId);

/** Each tenant's calls in the list's order. */
export const CALLS: Record<TenantKey, FuzzCall[]> = {
  A: SENT.A.map((sent) => callOf('A', sent)).sort((a, b) => (before(a, b) ? -1 : 1)),
  B: SENT.B.map((sent) => callOf('B', sent)).sort((a, b) => (before(a, b) ? -1 : 1)),
};

export const other = (tenant: TenantKey): TenantKey => (tenant === 'A' ? 'B' : 'A');

/** The tenant's calls of the days [start, end], in order. */
export function callsInRange(tenant: TenantKey, start: string, end: string): FuzzCall[] {
  return CALLS[tenant].filter((call) => call.day >= start && call.day <= end);
}

/** The calls after a position. */
export function callsAfter(calls: FuzzCall[], position: ListPosition): FuzzCall[] {
  return calls.filter((call) => before(position, call));
}

/**
 * Where in `calls` a list after an instant (whatever the callId beside it) may begin: after every call
 * before the instant, and at the latest after every call at it.
 */
export function startBounds(calls: FuzzCall[], at: string): { from: number; to: number } {
  return { from: calls.filter((call) => call.at < at).length, to: calls.filter((call) => call.at <= at).length };
}

/** Days around the stored ones, for ranges. */
export const DAYS = ['2021-05-30', '2021-05-31', '2021-06-01', '2021-06-02', '2021-06-03', '2021-06-04', '2021-06-05', '2021-06-06'];
