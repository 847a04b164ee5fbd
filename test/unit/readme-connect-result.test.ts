import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONNECT_RESULT_CODES, CONNECT_RESULT_RULES } from '../../services/query/connect-result.ts';

/** The README's "Call results" table is the documentation API clients read: it must say what the code does. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Call results'), readme.indexOf('\n## ', readme.indexOf('## Call results') + 1));
const rows = new Map([...section.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((match) => [match[1]!, match[2]!] as const));

describe('README call results table', () => {
  it('lists exactly the codes the query service reports, in order', () => {
    expect([...rows.keys()]).toEqual([...CONNECT_RESULT_CODES.slice(0, 1), ...CONNECT_RESULT_RULES.map((rule) => rule.code), 'FAILED']);
    expect(new Set(rows.keys())).toEqual(new Set(CONNECT_RESULT_CODES));
  });

  it.each(CONNECT_RESULT_RULES.map((rule) => [rule.code, rule.pattern] as const))(
    '%s names exactly the words its rule matches',
    (code, pattern) => {
      const words = rows.get(code)!.split('contains ')[1]!.split(' / ');
      expect(words).toEqual(pattern.source.split('|'));
      expect(pattern.flags).toContain('i');
    },
  );
});
