import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderSchemaDocument, SCHEMA_DOCUMENTS } from './schema-documents.ts';
import { REPO_ROOT } from './local-kafka.ts';

/** npm run schema:generate: rewrites the published JSON Schema files from the zod schemas. */
for (const document of SCHEMA_DOCUMENTS) {
  const path = join(REPO_ROOT, document.file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderSchemaDocument(document));
  process.stdout.write(`wrote ${document.file}\n`);
}
