import type { Kafka } from 'kafkajs';
import type { Config } from '../../../shared/config.ts';
import { formatIssuePath } from '../../../shared/callback/schema.ts';
import type { Pool } from '../../../shared/db/pool.ts';
import { createTenantRepository, isTenantId, TenantNotFoundError } from '../../../shared/tenants/repository.ts';
import { rejectedCallbackSchema, type RejectedCallback } from '../../../services/ingress/quarantine-record.ts';
import { CommandFailure, type OptionSpecs } from '../command.ts';
import { readConfiguredTopic } from '../kafka.ts';
import { firstInOrder, limitOption, MAX_LIMIT, SINCE_FORMS, sinceOption } from '../record-options.ts';
import { shown } from '../values.ts';

/**
 * The quarantine topic (TOPIC_REJECTED) as the quarantine commands read it: each record checked against
 * the quarantined-callback schema (services/ingress/quarantine-record.ts), narrowed by the filters, and
 * ordered by receivedAt (then partition and offset, or file line), the oldest first.
 */
export const FILTER_OPTIONS = {
  tenant: { type: 'string', value: 'ID', description: "only this tenant's records (a tenant id)" },
  since: { type: 'string', value: 'ISO', description: `only records received at or after ISO: ${SINCE_FORMS}` },
  limit: { type: 'string', value: 'N', description: `at most N records (1 to ${MAX_LIMIT}), the oldest first` },
} as const satisfies OptionSpecs;

export const FILTER_SYNOPSIS = '[--tenant ID] [--since ISO] [--limit N]';

export interface QuarantineFilter {
  tenantId?: string;
  since?: Date;
  limit?: number;
}

/** Where a record was read: a position on the topic, or a line of a --from-file file. */
export type Position = { partition: number; offset: string } | { line: number };

export interface Quarantined {
  record: RejectedCallback;
  /** The record's JSON as it was written, unknown fields included: what export prints. */
  original: unknown;
  position: Position;
}

/** A record of the quarantine topic that is not a quarantined callback: skipped, and said so. */
export interface Unreadable {
  partition: number;
  offset: string;
  reason: string;
}

/** The filter options checked, before anything is read. A tenant id that is not a UUID names no tenant: exit 1. */
export function quarantineFilter(options: { tenant?: string; since?: string; limit?: string }): QuarantineFilter {
  const filter: QuarantineFilter = {};
  if (options.tenant !== undefined) {
    if (!isTenantId(options.tenant)) throw new CommandFailure('INVALID_TENANT_ID', `--tenant ${shown(options.tenant)} is not a UUID`);
    filter.tenantId = options.tenant.toLowerCase();
  }
  if (options.since !== undefined) filter.since = sinceOption(options.since);
  if (options.limit !== undefined) filter.limit = limitOption(options.limit);
  return filter;
}

/** An unknown --tenant is refused (exit 1) rather than answered with nothing, which would read as "no records". */
export async function checkFilterTenant(db: Pool, filter: QuarantineFilter): Promise<void> {
  if (filter.tenantId !== undefined && !(await createTenantRepository(db).find(filter.tenantId))) {
    throw new TenantNotFoundError(filter.tenantId);
  }
}

/** The quarantined callback a JSON value is, or the first few reasons it is not one. */
export function parseQuarantined(json: unknown): { ok: true; record: RejectedCallback } | { ok: false; reason: string } {
  const parsed = rejectedCallbackSchema.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
  return { ok: false, reason: `not a quarantined callback (${issues.join('; ')})` };
}

export function matches(filter: QuarantineFilter, record: RejectedCallback): boolean {
  if (filter.tenantId !== undefined && record.tenantId.toLowerCase() !== filter.tenantId) return false;
  return filter.since === undefined || Date.parse(record.receivedAt) >= filter.since.getTime();
}

function byReceivedAt(a: Quarantined, b: Quarantined): number {
  const time = Date.parse(a.record.receivedAt) - Date.parse(b.record.receivedAt);
  if (time !== 0) return time;
  if ('line' in a.position && 'line' in b.position) return a.position.line - b.position.line;
  if ('partition' in a.position && 'partition' in b.position) {
    if (a.position.partition !== b.position.partition) return a.position.partition - b.position.partition;
    return Number(BigInt(a.position.offset) - BigInt(b.position.offset));
  }
  return 0;
}

/** The filter applied to records from anywhere (the topic, a file): matching ones in order, up to the limit. */
export function selectQuarantined(filter: QuarantineFilter, candidates: Iterable<Quarantined>): Quarantined[] {
  const selected = firstInOrder(byReceivedAt, filter.limit);
  for (const candidate of candidates) if (matches(filter, candidate.record)) selected.add(candidate);
  return selected.items();
}

export interface QuarantineRead {
  records: Quarantined[];
  unreadable: Unreadable[];
}

/** Everything on TOPIC_REJECTED now that the filter lets through. */
export async function readQuarantine(kafka: Kafka, config: Config, filter: QuarantineFilter): Promise<QuarantineRead> {
  const selected = firstInOrder(byReceivedAt, filter.limit);
  const unreadable: Unreadable[] = [];
  await readConfiguredTopic(kafka, config, 'TOPIC_REJECTED', ({ partition, offset, value }) => {
    const position = { partition, offset };
    if (value === null) return void unreadable.push({ ...position, reason: 'the record has no value' });
    let original: unknown;
    try {
      original = JSON.parse(value.toString('utf8'));
    } catch (error) {
      return void unreadable.push({ ...position, reason: `the value is not JSON: ${(error as Error).message}` });
    }
    const parsed = parseQuarantined(original);
    if (!parsed.ok) return void unreadable.push({ ...position, reason: parsed.reason });
    if (matches(filter, parsed.record)) selected.add({ record: parsed.record, original, position });
  });
  return { records: selected.items(), unreadable };
}

/** The line an operator is shown for a record that was skipped. */
export function unreadableLine(config: Config, record: Unreadable): string {
  return `skipped ${config.TOPIC_REJECTED} partition ${record.partition} offset ${record.offset}: ${record.reason}`;
}
