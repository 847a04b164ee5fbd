import { envelopeSchema, type Envelope } from '../../../shared/callback/envelope.ts';
import { formatIssuePath } from '../../../shared/callback/schema.ts';
import { dlq, ok, type StepResult } from './step-result.ts';

/** The record's value as an envelope of the topic contract (docs/topic-contract.md), checked by its schema. */
export function decodeEnvelope(value: Buffer | null): StepResult<Envelope> {
  if (value === null) return dlq('EMPTY_VALUE', 'the record has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return dlq('INVALID_JSON', `the value is not JSON: ${(error as Error).message}`);
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`).join('; ');
    return dlq('SCHEMA_VIOLATION', reason);
  }
  return ok(parsed.data);
}
