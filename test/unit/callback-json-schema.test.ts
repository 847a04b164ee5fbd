import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchemaDocument, SCHEMA_DOCUMENTS } from '../../scripts/schema-documents.ts';

/** The JSON Schema files under docs/ are what subscribers code against: they must match the zod schemas. */
describe('published JSON Schema files', () => {
  it.each(SCHEMA_DOCUMENTS.map((document) => [document.file, document] as const))(
    '%s is up to date (run `npm run schema:generate` after changing a schema)',
    (file, document) => {
      const committed = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      expect(committed).toBe(renderSchemaDocument(document));
    },
  );

  it("describes senders' tolerated numbers in the callback and plain strings on the topic", () => {
    const callback = JSON.parse(renderSchemaDocument(SCHEMA_DOCUMENTS[0]));
    const envelope = JSON.parse(renderSchemaDocument(SCHEMA_DOCUMENTS[1]));
    expect(callback.required).toEqual([
      'callId',
      'workflow',
      'fromNumber',
      'toNumber',
      'relayNumber',
      'callStartTime',
      'callEndTime',
      'callDuration',
    ]);
    expect(callback.properties.fromNumber.anyOf.map((branch: { type: string }) => branch.type)).toEqual(['string', 'integer']);
    expect(envelope.properties.callback.properties.fromNumber.type).toBe('string');
    expect(envelope.properties.callback.additionalProperties).toEqual({});
  });
});
