import { describe, expect, it } from 'vitest';
import { findCallScript } from '../lab/pgbench.ts';
import { findCallStatement } from '../../services/query/calls-repository.ts';

describe('the query baseline script', () => {
  it('is the service lookup with pgbench variables in place of its two parameters', () => {
    const script = findCallScript();
    const [setLine, sql] = script.split('\n');
    expect(setLine).toBe('\\set i random(0, :calls - 1)');
    expect(sql).not.toMatch(/\$\d/);
    // Every colon left is a pgbench variable or a cast: none inside a string literal.
    expect(
      sql!
        .split("'")
        .filter((_, index) => index % 2 === 1)
        .join(''),
    ).not.toContain(':');
    const backToService = sql!
      .replace(':tenant::uuid', '$1::uuid')
      .replace(":prefix::text || lpad(to_hex(:i::bigint), 12, '0')", '$2')
      .replace(/;$/, '')
      .replaceAll("' || chr(58) || '", ':');
    expect(backToService).toBe(findCallStatement.text.replace(/\s+/g, ' ').trim());
  });
});
