import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci` on the oldest Node that package.json allows must install every package without an engine
 * warning: a package that needs a newer Node may install and then fail at run time.
 */
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } }>;
};

describe('Node engines', () => {
  it('every installed package supports the oldest Node that package.json allows', () => {
    const oldest = semver.minVersion(manifest.engines.node)!;
    const installed = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.optional);
    expect(installed.length).toBeGreaterThan(100);
    const unsupported = installed
      .filter(([, entry]) => entry.engines?.node && !semver.satisfies(oldest, entry.engines.node))
      .map(([path, entry]) => `${path}@${entry.version} needs Node ${entry.engines!.node}`);
    expect({ oldest: oldest.version, unsupported }).toEqual({ oldest: '20.19.0', unsupported: [] });
  });
});
