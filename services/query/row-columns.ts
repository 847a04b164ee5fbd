import type { FieldDef } from 'pg';
import type { z } from 'zod';

/**
 * A lookup's row is not parsed value by value (that was 6% of the service's CPU); its columns are
 * checked instead: the names and Postgres types the statement returned against the row schema, a few
 * comparisons per request. A column dropped, renamed or retyped under the service is then a 500, never
 * a wrong answer.
 */
export class StoredRowDriftError extends Error {
  readonly code = 'STORED_ROW_DRIFT';
}

/** Postgres type OIDs each kind of zod field may come from (pg_type.oid). */
const OIDS_BY_KIND: Record<string, readonly number[]> = {
  string: [25, 1043, 2950], // text, varchar, uuid
  number: [20, 21, 23], // int8, int2, int4
  boolean: [16],
  date: [1184], // timestamptz
};

interface Unwrapped {
  kind: string;
  optional: boolean;
}

function unwrap(field: z.core.$ZodType): Unwrapped {
  const def = field._zod.def as { type: string; innerType?: z.core.$ZodType };
  if (!def.innerType || (def.type !== 'nullable' && def.type !== 'optional')) return { kind: def.type, optional: false };
  const inner = unwrap(def.innerType);
  return { kind: inner.kind, optional: inner.optional || def.type === 'optional' };
}

/** Every column known and of its type, every column the schema requires there. */
export function columnCheck(schema: z.ZodObject): (fields: readonly FieldDef[]) => void {
  const columns = new Map(
    Object.entries(schema.shape).map(([name, field]) => {
      const { kind, optional } = unwrap(field);
      return [name, { oids: OIDS_BY_KIND[kind] ?? [], required: !optional }];
    }),
  );
  const required = [...columns.values()].filter((column) => column.required).length;
  return (fields) => {
    let seen = 0;
    for (const field of fields) {
      const column = columns.get(field.name);
      if (!column?.oids.includes(field.dataTypeID)) {
        throw new StoredRowDriftError(`column ${field.name} (type ${field.dataTypeID}) is not what the service reads`);
      }
      if (column.required) seen += 1;
    }
    if (seen !== required) throw new StoredRowDriftError(`the statement returned ${seen} of the ${required} columns the service reads`);
  };
}
