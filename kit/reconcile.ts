import { z } from 'zod';
import type { Pool } from '../shared/db/pool.ts';
import { parseCallback, type Callback } from '../shared/callback/schema.ts';
import type { RawCallback } from './callbacks.ts';

/**
 * The count of what was lost. For every call with a delivery answered 200, Postgres must hold exactly
 * one calls row whose raw callback is that delivery or one sent after it (a later delivery may have
 * reached Kafka without its 200), with every session, line, label, variable and recording of that
 * payload present once: fewer is "lost", more is "duplicated".
 */
export interface Reconciliation {
  /** Calls with at least one delivery answered 200. */
  acceptedCalls: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** The first few problems, for a human to start from. */
  problems: string[];
}

/** What was sent for one call: its deliveries in order, how many were attempted, and which one last got a 200. */
export interface CallOutcome {
  call: number;
  deliveries: RawCallback[];
  /** Index of the last delivery that got a 200; -1 if none did. */
  lastAccepted: number;
  /** How many deliveries were attempted (a prefix of deliveries). */
  attempted: number;
}

const storedCallRow = z.object({
  call_id: z.string(),
  rows: z.number(),
  raw: z.record(z.string(), z.unknown()),
  instances: z.number(),
  lines: z.array(z.tuple([z.number(), z.number(), z.string().nullable()])),
  labels: z.number(),
  variables: z.number(),
  recordings: z.number(),
});
type StoredCall = z.infer<typeof storedCallRow>;

export async function storedCalls(pool: Pool, tenantId: string): Promise<Map<string, StoredCall>> {
  const { rows } = await pool.query(
    `select c.call_id,
       (select count(*)::int from calls d where d.tenant_id = c.tenant_id and d.call_id = c.call_id) as rows,
       c.raw,
       (select count(*)::int from call_instances i where i.tenant_id = c.tenant_id and i.call_id = c.call_id) as instances,
       (select coalesce(json_agg(json_build_array(l.instance_seq, l.seq, l.content) order by l.instance_seq, l.seq), '[]'::json)
          from dialogue_lines l where l.tenant_id = c.tenant_id and l.call_id = c.call_id) as lines,
       (select count(*)::int from call_labels b where b.tenant_id = c.tenant_id and b.call_id = c.call_id) as labels,
       (select count(*)::int from call_variables v where v.tenant_id = c.tenant_id and v.call_id = c.call_id) as variables,
       (select count(*)::int from call_recordings r where r.tenant_id = c.tenant_id and r.call_id = c.call_id) as recordings
     from calls c where c.tenant_id = $1::uuid`,
    [tenantId],
  );
  return new Map(rows.map((row) => storedCallRow.parse(row)).map((row) => [row.call_id, row]));
}

/** Key order does not matter in jsonb: compare a canonical form. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function expectedOf(callback: Callback) {
  const instances = callback.instances ?? [];
  return {
    raw: canonical(callback),
    instances: instances.length,
    lines: instances.flatMap((instance, i) =>
      (instance.dialogueContentList ?? []).map((line, j) => [i + 1, j + 1, line.dialogueContent ?? null] as const),
    ),
    labels: (callback.labelInfos?.length ?? 0) + instances.reduce((sum, instance) => sum + (instance.labelInfoList?.length ?? 0), 0),
    variables: callback.variables?.length ?? 0,
    recordings: callback.allRecordUrl?.length ?? 0,
  };
}

export function reconcile(outcomes: CallOutcome[], stored: Map<string, StoredCall>): Reconciliation {
  const result: Reconciliation = { acceptedCalls: 0, stored: 0, lost: 0, duplicated: 0, problems: [] };
  const problem = (text: string) => result.problems.length < 20 && result.problems.push(text);
  for (const outcome of outcomes) {
    if (outcome.lastAccepted < 0) continue;
    result.acceptedCalls += 1;
    const callId = String(outcome.deliveries[0]!.callId);
    const row = stored.get(callId);
    if (!row) {
      result.lost += 1;
      problem(`${callId}: accepted, not stored`);
      continue;
    }
    const candidates = outcome.deliveries.slice(outcome.lastAccepted, outcome.attempted).map((delivery) => {
      const parsed = parseCallback(delivery);
      if (!parsed.ok) throw new Error(`generated callback ${callId} is invalid`);
      return expectedOf(parsed.callback);
    });
    const storedRaw = canonical(row.raw);
    const expected = candidates.find((candidate) => candidate.raw === storedRaw);
    if (!expected) {
      result.lost += 1;
      problem(`${callId}: stored payload (remark ${JSON.stringify(row.raw.remark)}) is older than the last accepted delivery`);
      continue;
    }
    const linesMatch = JSON.stringify(expected.lines) === JSON.stringify(row.lines);
    const counts = ['instances', 'labels', 'variables', 'recordings'] as const;
    const more = row.rows > 1 || row.lines.length > expected.lines.length || counts.some((name) => row[name] > expected[name]);
    const fewer = row.lines.length < expected.lines.length || counts.some((name) => row[name] < expected[name]);
    if (more) {
      result.duplicated += 1;
      problem(`${callId}: rows stored twice (${JSON.stringify({ ...row, raw: undefined })})`);
    } else if (fewer || !linesMatch) {
      result.lost += 1;
      problem(`${callId}: incomplete or wrong children (${JSON.stringify({ ...row, raw: undefined })})`);
    } else {
      result.stored += 1;
    }
  }
  return result;
}

/** Two counts as one (the calls of several tenants, each reconciled against its own stored calls). */
export function addReconciliations(a: Reconciliation, b: Reconciliation): Reconciliation {
  return {
    acceptedCalls: a.acceptedCalls + b.acceptedCalls,
    stored: a.stored + b.stored,
    lost: a.lost + b.lost,
    duplicated: a.duplicated + b.duplicated,
    problems: [...a.problems, ...b.problems].slice(0, 20),
  };
}
