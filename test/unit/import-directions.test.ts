import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * docs/architecture.md's import directions, checked on every .ts file git knows (tracked, or new and not
 * ignored): each relative import's target folder must be one its source folder may import.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const PRODUCT = ['services', 'shared', 'scripts'];

/** The part of the tree a path belongs to: `services/<name>` for a service, else its top folder. */
function areaOf(path: string): string | undefined {
  const [top, second] = path.split('/');
  if (top === 'services' && second !== undefined && path.split('/').length > 2) return `services/${second}`;
  return ['services', 'shared', 'scripts', 'kit', 'test', 'chaos', 'bench'].includes(top!) ? top : undefined;
}

function mayImport(from: string, to: string): boolean {
  const top = (area: string) => area.split('/')[0]!;
  if (from.startsWith('services/')) return to === from || to === 'shared';
  if (from === 'shared') return to === 'shared';
  if (from === 'scripts') return PRODUCT.includes(top(to));
  if (from === 'kit') return PRODUCT.includes(top(to)) || to === 'kit';
  // test, chaos and bench: product code, the kit, and themselves.
  return PRODUCT.includes(top(to)) || to === 'kit' || to === from;
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(?\s*['"]([^'"]+)['"]/gm;

function relativeImports(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((match) => match[1] ?? match[2]!).filter((specifier) => specifier.startsWith('.'));
}

function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: ROOT, encoding: 'utf8' });
  return [...new Set(listed.split('\n').filter(Boolean))].filter((path) => existsSync(join(ROOT, path)));
}

function violations(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const from = areaOf(file);
    if (!from) continue;
    for (const specifier of relativeImports(readFileSync(join(ROOT, file), 'utf8'))) {
      const target = relative(ROOT, normalize(join(ROOT, dirname(file), specifier)))
        .split('\\')
        .join('/');
      const to = areaOf(target);
      if (to && !mayImport(from, to)) found.push(`${file} imports ${target}`);
    }
  }
  return found.sort();
}

describe('import directions (docs/architecture.md)', () => {
  it('reads the relative imports of an import, an export and a dynamic import', () => {
    expect(
      relativeImports(
        "import { a } from '../kit/a.ts';\nimport type {\n  B,\n} from './b.ts';\nexport { c } from '../../chaos/c.ts';\nconst d = await import('../bench/d.ts');\nimport pg from 'pg';",
      ),
    ).toEqual(['../kit/a.ts', './b.ts', '../../chaos/c.ts', '../bench/d.ts']);
  });

  it('names a file of one service importing another, and test importing chaos, as violations', () => {
    expect(mayImport('services/ingress', 'services/query')).toBe(false);
    expect(mayImport('services/ingress', 'services/ingress')).toBe(true);
    expect(mayImport('test', 'chaos')).toBe(false);
    expect(mayImport('kit', 'test')).toBe(false);
    expect(mayImport('shared', 'kit')).toBe(false);
    expect(mayImport('bench', 'kit')).toBe(true);
  });

  it('holds for every .ts file of the repository', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(150);
    expect(violations(files)).toEqual([]);
  });
});
