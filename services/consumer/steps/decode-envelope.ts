import { envelopeSchema, type Envelope } from '../../shared/callback/envelope.ts';
import { formatIssuePath } from '../../shared/callback/schema.ts';

/** A step's answer for one message: go on with it, or send it to the dead-letter topic with why. */
export type StepResult<T> = { kind: 'ok'; value: T } | { kind: 'dlq'; code: string; reason: string };

export function decodeEnvelope(value: Buffer | null): StepResult<Envelope> {
  if (value === null) return { kind: 'dlq', code: 'EMPTY_VALUE', reason: 'the record has no value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { kind: 'dlq', code: 'INVALID_JSON', reason: `the value is not JSON: ${(error as Error).message}` };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`).join('; ');
    return { kind: 'dlq', code: 'SCHEMA_VIOLATION', reason };
  }
  return { kind: 'ok', value: parsed.data };
}
