import { z } from 'zod';
import { envelopeSchema } from '../shared/callback/envelope.ts';
import { rejectedCallbackSchema } from '../services/ingress/quarantine-record.ts';
import { callbackSchema } from '../shared/callback/schema.ts';

/**
 * The JSON Schema files published under docs/, generated from the zod schemas (`npm run schema:generate`).
 * The callback is described as senders may send it (input: numbers allowed where strings are tolerated),
 * the topic records as subscribers receive them (output: those fields are always strings).
 * Calendar validity and end-not-before-start are runtime checks JSON Schema cannot express.
 */
export const SCHEMA_DOCUMENTS = [
  { file: 'docs/callback.schema.json', schema: callbackSchema, io: 'input' },
  { file: 'docs/envelope.schema.json', schema: envelopeSchema, io: 'output' },
  { file: 'docs/rejected-callback.schema.json', schema: rejectedCallbackSchema, io: 'output' },
] as const;

export function renderSchemaDocument(document: (typeof SCHEMA_DOCUMENTS)[number]): string {
  return `${JSON.stringify(z.toJSONSchema(document.schema, { io: document.io, target: 'draft-2020-12' }), null, 2)}\n`;
}
