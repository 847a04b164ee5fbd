import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { hashToken } from '../../shared/tokens.ts';
import { freePort } from '../../kit/ports.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';

const run = promisify(execFile);
const TSX = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const CLI = new URL('../../scripts/tenant.ts', import.meta.url).pathname;

function tenantCli(db: TestDatabase | string, args: string[]) {
  return run(TSX, [CLI, ...args], { env: { ...process.env, DATABASE_URL: typeof db === 'string' ? db : db.url } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('npm run tenant -- create', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  });
  afterAll(() => db?.drop());

  it('prints exactly one JSON line and stores only hashes of the tokens', async () => {
    const { code, stdout } = await tenantCli(db, ['create', '--name', 'Acme', '--timezone', 'Asia/Kolkata']);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0]!);
    expect(Object.keys(created)).toEqual(['tenantId', 'ingestToken', 'accessToken']);
    expect(created.tenantId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const { rows } = await db.pool.query('select name, timezone, ingest_token_hash, access_token_hash from tenants where tenant_id = $1', [
      created.tenantId,
    ]);
    expect(rows).toEqual([
      {
        name: 'Acme',
        timezone: 'Asia/Kolkata',
        ingest_token_hash: hashToken(created.ingestToken),
        access_token_hash: hashToken(created.accessToken),
      },
    ]);
  });

  it('keeps a commubo tenant id and access token when given', async () => {
    const tenantId = '12345678-90ab-cdef-1234-567890abcdef';
    const accessToken = 'FEDCBA09-8765-4321-FEDC-BA0987654321';
    const { code, stdout } = await tenantCli(db, [
      'create',
      '--name',
      'Moving',
      '--tenant-id',
      tenantId.toUpperCase(),
      '--access-token',
      accessToken,
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ tenantId, accessToken });
  });

  it.each([
    [['create'], '--name is required'],
    [['delete', '--name', 'x'], 'the only command is "create"'],
    [['create', '--name', 'x', '--timezone', 'Mars/Base'], '--timezone Mars/Base is not an IANA time zone'],
    [['create', '--name', 'x', '--tenant-id', 'abc'], '--tenant-id abc is not a UUID'],
  ])('refuses %j with exit code 2 and says why', async (args, message) => {
    const { code, stdout, stderr } = await tenantCli(db, args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(message);
  });

  it('refuses an existing tenant id with one line, exit code 1, and leaves the stored tenant as it was', async () => {
    const tenantId = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    const first = await tenantCli(db, ['create', '--name', 'First', '--tenant-id', tenantId]);
    expect(first.code).toBe(0);
    const again = await tenantCli(db, ['create', '--name', 'Second', '--tenant-id', tenantId.toUpperCase()]);
    expect(again).toEqual({ code: 1, stdout: '', stderr: `tenant ${tenantId} already exists\n` });
    const { rows } = await db.pool.query('select name, access_token_hash from tenants where tenant_id = $1', [tenantId]);
    expect(rows).toEqual([{ name: 'First', access_token_hash: hashToken(JSON.parse(first.stdout).accessToken) }]);
  });

  it('with Postgres unreachable prints one line naming Postgres and DATABASE_URL, without the password, exit code 1', async () => {
    const port = await freePort();
    const result = await tenantCli(`postgres://postgres:hunter2-secret@127.0.0.1:${port}/callstream`, ['create', '--name', 'Acme']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `cannot reach Postgres at postgres://postgres:***@127.0.0.1:${port}/callstream (DATABASE_URL): connect ECONNREFUSED\n`,
    });
  });
});
