import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { hashToken } from '../../shared/tokens.ts';
import { freePort } from '../../kit/ports.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { cli, printed } from '../support/cli.ts';
import { nodeScript, runScript } from '../support/run-script.ts';

/**
 * npm run cli -- tenants …, on the real database: what each command prints and stores, what it refuses
 * (a usage error: exit 2, one line and the usage; a failure: exit 1, one line) and that a refused command
 * changed nothing. The commands run in-process through the CLI's runner; the entry point itself, as an
 * operator starts it, at the end.
 */
const UNKNOWN_TENANT = '0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f';

let db: TestDatabase;
const run = (...args: string[]) => cli({ DATABASE_URL: db.url }, args);

/** Every column of every tenant, to show that a refused command changed nothing. */
const allTenants = async () => (await db.pool.query('select * from tenants order by tenant_id')).rows;

interface Created {
  tenantId: string;
  ingestToken: string;
  accessToken: string;
}

async function create(...args: string[]): Promise<Created> {
  const result = await run('tenants', 'create', ...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return printed(result)[0] as Created;
}

beforeAll(async () => {
  db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
});
afterAll(() => db?.drop());

describe('tenants list', () => {
  it('prints nothing when there is no tenant', async () => {
    expect(await run('tenants', 'list')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('prints one line per tenant, oldest first, with id, name, timezone, status, created, retention and whether it signs, and no token, hash or secret', async () => {
    const acme = await create('--name', 'Acme', '--timezone', 'Asia/Kolkata');
    const moving = await create('--name', 'Moving', '--access-token', 'FEDCBA09-8765-4321-FEDC-BA0987654321');
    expect((await run('tenants', 'set', acme.tenantId, '--retention-days', '90')).code).toBe(0);
    const [signed] = printed(await run('tenants', 'set', acme.tenantId, '--signing-secret', 'generate')) as [{ signingSecret: string }];
    expect((await run('tenants', 'disable', moving.tenantId)).code).toBe(0);
    const { rows } = await db.pool.query<{ tenant_id: string; created_at: Date }>(
      'select tenant_id, created_at from tenants order by created_at, tenant_id',
    );

    const listed = await run('tenants', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe('');
    expect(listed.stdout.endsWith('\n')).toBe(true);
    expect(printed(listed)).toEqual([
      {
        tenantId: acme.tenantId,
        name: 'Acme',
        timezone: 'Asia/Kolkata',
        status: 'active',
        createdAt: rows[0]!.created_at.toISOString(),
        retentionDays: 90,
        signatureRequired: true,
      },
      {
        tenantId: moving.tenantId,
        name: 'Moving',
        timezone: 'Asia/Tokyo',
        status: 'disabled',
        createdAt: rows[1]!.created_at.toISOString(),
        retentionDays: null,
        signatureRequired: false,
      },
    ]);
    expect(rows.map((row) => row.tenant_id)).toEqual([acme.tenantId, moving.tenantId]);

    // Rotate one token with a grace period, so that a previous hash is stored too.
    const rotated = printed(await run('tenants', 'rotate-token', acme.tenantId, '--kind', 'ingest', '--grace-seconds', '60'))[0] as {
      token: string;
    };
    const secrets = [acme.ingestToken, acme.accessToken, moving.ingestToken, moving.accessToken, rotated.token, signed.signingSecret];
    const { stdout } = await run('tenants', 'list');
    for (const secret of secrets) {
      const hash = hashToken(secret);
      for (const shown of [secret, hash.toString('hex'), hash.toString('base64'), hash.toString('base64url')]) {
        expect(stdout).not.toContain(shown);
      }
    }
    expect(stdout).not.toMatch(/token|hash|secret/i);
  });
});

describe('tenants set', () => {
  it('stores --retention-days N, and none as no limit, and prints the tenant as list does', async () => {
    const { tenantId } = await create('--name', 'Retained');
    const set = await run('tenants', 'set', tenantId.toUpperCase(), '--retention-days', '30');
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(printed(set)).toEqual([expect.objectContaining({ tenantId, name: 'Retained', status: 'active', retentionDays: 30 })]);
    const stored = async () =>
      (await db.pool.query('select retention_days from tenants where tenant_id = $1', [tenantId])).rows[0].retention_days;
    expect(await stored()).toBe(30);

    expect(printed(await run('tenants', 'set', tenantId, '--retention-days', '36500'))).toEqual([
      expect.objectContaining({ retentionDays: 36500 }),
    ]);
    expect(printed(await run('tenants', 'set', tenantId, '--retention-days', 'none'))).toEqual([
      expect.objectContaining({ tenantId, retentionDays: null }),
    ]);
    expect(await stored()).toBeNull();
  });

  it('stores --rate-per-second and --burst, each alone or with the retention, and default as null', async () => {
    const { tenantId } = await create('--name', 'Limited');
    const stored = async () =>
      (await db.pool.query('select retention_days, rate_per_second, burst from tenants where tenant_id = $1', [tenantId])).rows[0];
    const set = await run('tenants', 'set', tenantId, '--rate-per-second', '2', '--burst', '5');
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(printed(set)).toEqual([expect.objectContaining({ tenantId, name: 'Limited', retentionDays: null })]);
    expect(await stored()).toEqual({ retention_days: null, rate_per_second: 2, burst: 5 });

    expect((await run('tenants', 'set', tenantId, '--burst', 'default', '--retention-days', '7')).code).toBe(0);
    expect(await stored()).toEqual({ retention_days: 7, rate_per_second: 2, burst: null });
    expect((await run('tenants', 'set', tenantId, '--rate-per-second', '0')).code).toBe(0);
    expect(await stored()).toEqual({ retention_days: 7, rate_per_second: 0, burst: null });
    expect((await run('tenants', 'set', tenantId, '--rate-per-second', 'default')).code).toBe(0);
    expect(await stored()).toEqual({ retention_days: 7, rate_per_second: null, burst: null });
  });

  const signingColumns = async (tenantId: string) =>
    (
      await db.pool.query(
        'select signing_secret, previous_signing_secret, previous_signing_secret_expires_at from tenants where tenant_id = $1',
        [tenantId],
      )
    ).rows[0];
  const databaseNow = async () => (await db.pool.query<{ now: Date }>('select now()')).rows[0]!.now.getTime();

  it('--signing-secret generate prints the tenant with its new secret this once and stores it; none removes it', async () => {
    const { tenantId } = await create('--name', 'Signing');
    const generated = await run('tenants', 'set', tenantId, '--signing-secret', 'generate');
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    const [shown] = printed(generated) as [{ signingSecret: string }];
    expect(shown).toEqual({
      tenantId,
      name: 'Signing',
      timezone: 'Asia/Tokyo',
      status: 'active',
      createdAt: expect.any(String),
      retentionDays: null,
      signatureRequired: true,
      signingSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      previousSigningSecretValidUntil: null,
    });
    expect(await signingColumns(tenantId)).toEqual({
      signing_secret: shown.signingSecret,
      previous_signing_secret: null,
      previous_signing_secret_expires_at: null,
    });
    // Not shown again.
    expect((await run('tenants', 'list')).stdout).not.toContain(shown.signingSecret);

    const removed = await run('tenants', 'set', tenantId, '--signing-secret', 'none');
    expect(removed.code).toBe(0);
    expect(printed(removed)).toEqual([expect.objectContaining({ tenantId, signatureRequired: false })]);
    expect(Object.keys(printed(removed)[0] as object)).not.toContain('signingSecret');
    expect(await signingColumns(tenantId)).toEqual({
      signing_secret: null,
      previous_signing_secret: null,
      previous_signing_secret_expires_at: null,
    });
  });

  it('--signing-secret generate again replaces the secret; with --grace-seconds the old one is kept until the printed time', async () => {
    const { tenantId } = await create('--name', 'Rotating secret');
    const [first] = printed(await run('tenants', 'set', tenantId, '--signing-secret', 'generate')) as [{ signingSecret: string }];
    const before = await databaseNow();
    const [second] = printed(await run('tenants', 'set', tenantId, '--signing-secret', 'generate', '--grace-seconds', '600')) as [
      { signingSecret: string; previousSigningSecretValidUntil: string },
    ];
    const after = await databaseNow();
    expect(second.signingSecret).not.toBe(first.signingSecret);
    const validUntil = Date.parse(second.previousSigningSecretValidUntil);
    // Ten minutes after the rotation, by the database's clock.
    expect(validUntil >= before + 600_000 && validUntil <= after + 600_000).toBe(true);
    expect(await signingColumns(tenantId)).toEqual({
      signing_secret: second.signingSecret,
      previous_signing_secret: first.signingSecret,
      previous_signing_secret_expires_at: new Date(validUntil),
    });

    // Without a grace period (the default) the replaced secret stops, and so does the one kept before.
    const [third] = printed(await run('tenants', 'set', tenantId, '--signing-secret', 'generate', '--retention-days', '30')) as [
      { signingSecret: string; retentionDays: number; previousSigningSecretValidUntil: null },
    ];
    expect(third).toMatchObject({ retentionDays: 30, signatureRequired: true, previousSigningSecretValidUntil: null });
    expect(await signingColumns(tenantId)).toEqual({
      signing_secret: third.signingSecret,
      previous_signing_secret: null,
      previous_signing_secret_expires_at: null,
    });
  });

  it('--signing-secret generate --grace-seconds on a tenant without a secret keeps no previous one', async () => {
    const { tenantId } = await create('--name', 'First secret');
    const [shown] = printed(await run('tenants', 'set', tenantId, '--signing-secret', 'generate', '--grace-seconds', '600')) as [
      { signingSecret: string },
    ];
    expect(shown).toMatchObject({ signatureRequired: true, previousSigningSecretValidUntil: null });
    expect(await signingColumns(tenantId)).toEqual({
      signing_secret: shown.signingSecret,
      previous_signing_secret: null,
      previous_signing_secret_expires_at: null,
    });
  });

  it('says in its help who enforces the retention', async () => {
    const help = await run('tenants', 'set', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--retention-days is enforced by the consumer, which deletes the calls older than that every');
  });
});

describe('tenants disable and enable', () => {
  it('switch the status and print the tenant; doing it twice changes nothing more', async () => {
    const { tenantId } = await create('--name', 'Switched');
    const status = async () => (await db.pool.query('select status from tenants where tenant_id = $1', [tenantId])).rows[0].status;
    for (const [command, expected] of [
      ['disable', 'disabled'],
      ['disable', 'disabled'],
      ['enable', 'active'],
      ['enable', 'active'],
    ] as const) {
      const result = await run('tenants', command, tenantId);
      expect(result.code).toBe(0);
      expect(printed(result)).toEqual([expect.objectContaining({ tenantId, name: 'Switched', status: expected })]);
      expect(await status()).toBe(expected);
    }
  });
});

describe('tenants rotate-token', () => {
  const previousColumns = async (tenantId: string) =>
    (
      await db.pool.query(
        `select ingest_token_hash, access_token_hash, previous_ingest_token_hash, previous_ingest_token_expires_at,
                previous_access_token_hash, previous_access_token_expires_at
         from tenants where tenant_id = $1`,
        [tenantId],
      )
    ).rows[0];

  it('prints the new token once and stores only its hash; --grace-seconds 0 (the default) keeps no previous token', async () => {
    const tenant = await create('--name', 'Rotated');
    const result = await run('tenants', 'rotate-token', tenant.tenantId, '--kind', 'ingest');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [rotated] = printed(result) as [{ token: string }];
    expect(rotated).toEqual({ tenantId: tenant.tenantId, kind: 'ingest', token: expect.any(String), previousTokenValidUntil: null });
    expect(rotated.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await previousColumns(tenant.tenantId)).toEqual({
      ingest_token_hash: hashToken(rotated.token),
      access_token_hash: hashToken(tenant.accessToken),
      previous_ingest_token_hash: null,
      previous_ingest_token_expires_at: null,
      previous_access_token_hash: null,
      previous_access_token_expires_at: null,
    });
  });

  it('with --grace-seconds keeps the replaced hash until the printed time; the other kind is untouched', async () => {
    const tenant = await create('--name', 'Graceful');
    const databaseNow = async () => (await db.pool.query<{ now: Date }>('select now()')).rows[0]!.now.getTime();
    const before = await databaseNow();
    const [rotated] = printed(await run('tenants', 'rotate-token', tenant.tenantId, '--kind', 'access', '--grace-seconds', '600')) as [
      { token: string; previousTokenValidUntil: string },
    ];
    const after = await databaseNow();
    const validUntil = Date.parse(rotated.previousTokenValidUntil);
    // Ten minutes after the rotation, by the database's clock.
    expect(validUntil >= before + 600_000 && validUntil <= after + 600_000).toBe(true);
    const stored = await previousColumns(tenant.tenantId);
    expect(stored).toEqual({
      ingest_token_hash: hashToken(tenant.ingestToken),
      access_token_hash: hashToken(rotated.token),
      previous_ingest_token_hash: null,
      previous_ingest_token_expires_at: null,
      previous_access_token_hash: hashToken(tenant.accessToken),
      previous_access_token_expires_at: new Date(validUntil),
    });
  });
});

describe('refused commands change nothing', () => {
  let tenantId: string;
  beforeAll(async () => {
    ({ tenantId } = await create('--name', 'Untouched'));
  });

  it.each([
    [['tenants', 'rotate-token', UNKNOWN_TENANT, '--kind', 'ingest'], `tenant ${UNKNOWN_TENANT} does not exist`],
    [['tenants', 'rotate-token', UNKNOWN_TENANT, '--kind', 'access', '--grace-seconds', '60'], `tenant ${UNKNOWN_TENANT} does not exist`],
    [['tenants', 'disable', UNKNOWN_TENANT.toUpperCase()], `tenant ${UNKNOWN_TENANT} does not exist`],
    [['tenants', 'enable', UNKNOWN_TENANT], `tenant ${UNKNOWN_TENANT} does not exist`],
    [['tenants', 'set', UNKNOWN_TENANT, '--retention-days', '7'], `tenant ${UNKNOWN_TENANT} does not exist`],
    [['tenants', 'set', UNKNOWN_TENANT, '--rate-per-second', '7'], `tenant ${UNKNOWN_TENANT} does not exist`],
    [['tenants', 'set', UNKNOWN_TENANT, '--signing-secret', 'generate'], `tenant ${UNKNOWN_TENANT} does not exist`],
    [['tenants', 'set', UNKNOWN_TENANT, '--signing-secret', 'none'], `tenant ${UNKNOWN_TENANT} does not exist`],
    [['tenants', 'rotate-token', 'acme', '--kind', 'ingest'], 'TENANT_ID acme is not a UUID'],
    [['tenants', 'disable', `${UNKNOWN_TENANT}x`], `TENANT_ID ${UNKNOWN_TENANT}x is not a UUID`],
    [['tenants', 'enable', 'not a uuid'], 'TENANT_ID "not a uuid" is not a UUID'],
    [['tenants', 'set', '', '--retention-days', '7'], 'TENANT_ID "" is not a UUID'],
  ])('%j fails with exit code 1 and one line: %s', async (args, line) => {
    const before = await allTenants();
    expect(await run(...args)).toEqual({ code: 1, stdout: '', stderr: `${line}\n` });
    expect(await allTenants()).toEqual(before);
  });

  const ROTATE_USAGE = 'usage: npm run cli -- tenants rotate-token TENANT_ID --kind ingest|access [--grace-seconds N]';
  const SET_USAGE =
    'usage: npm run cli -- tenants set TENANT_ID [--retention-days N|none] [--rate-per-second N|default] [--burst N|default] [--signing-secret generate|none [--grace-seconds N]]';
  it.each([
    [['rotate-token', '{tenant}'], '--kind is required', ROTATE_USAGE],
    [['rotate-token', '{tenant}', '--kind', 'both'], '--kind must be ingest or access, not both', ROTATE_USAGE],
    [['rotate-token', '{tenant}', '--kind'], '--kind needs a value', ROTATE_USAGE],
    [['rotate-token', '{tenant}', '--kind', 'ingest', '--kind', 'access'], '--kind is given more than once', ROTATE_USAGE],
    [
      ['rotate-token', '{tenant}', '--kind', 'ingest', '--grace-seconds', '1e3'],
      '--grace-seconds 1e3 is not a whole number from 0 to 2592000',
      ROTATE_USAGE,
    ],
    [
      ['rotate-token', '{tenant}', '--kind', 'ingest', '--grace-seconds', '2592001'],
      '--grace-seconds 2592001 is not a whole number from 0 to 2592000',
      ROTATE_USAGE,
    ],
    [['rotate-token', '--kind', 'ingest'], 'TENANT_ID is required', ROTATE_USAGE],
    [['rotate-token', 'not-a-uuid'], '--kind is required', ROTATE_USAGE],
    [['rotate-token', '{tenant}', '{tenant}', '--kind', 'ingest'], 'unexpected argument "{tenant}"', ROTATE_USAGE],
    [['rotate-token', '{tenant}', '--kind', 'ingest', '--force'], 'unknown option --force', ROTATE_USAGE],
    [['set', '{tenant}'], 'nothing to set: give --retention-days, --rate-per-second, --burst or --signing-secret', SET_USAGE],
    [['set', '{tenant}', '--signing-secret', 'rotate'], '--signing-secret must be generate or none, not rotate', SET_USAGE],
    [['set', '{tenant}', '--signing-secret'], '--signing-secret needs a value', SET_USAGE],
    [['set', '{tenant}', '--grace-seconds', '60'], '--grace-seconds goes with --signing-secret generate', SET_USAGE],
    [
      ['set', '{tenant}', '--retention-days', '7', '--grace-seconds', '60'],
      '--grace-seconds goes with --signing-secret generate',
      SET_USAGE,
    ],
    [
      ['set', '{tenant}', '--signing-secret', 'none', '--grace-seconds', '60'],
      '--grace-seconds goes with --signing-secret generate, not none',
      SET_USAGE,
    ],
    [
      ['set', '{tenant}', '--signing-secret', 'generate', '--grace-seconds', '2592001'],
      '--grace-seconds 2592001 is not a whole number from 0 to 2592000',
      SET_USAGE,
    ],
    [
      ['set', '{tenant}', '--signing-secret', 'generate', '--retention-days', '0'],
      '--retention-days 0 is not a whole number from 1 to 36500',
      SET_USAGE,
    ],
    [['set', '{tenant}', '--rate-per-second=-1'], '--rate-per-second -1 is not a whole number from 0 to 1000000000', SET_USAGE],
    [['set', '{tenant}', '--rate-per-second', 'none'], '--rate-per-second none is not a whole number from 0 to 1000000000', SET_USAGE],
    [['set', '{tenant}', '--burst', '0'], '--burst 0 is not a whole number from 1 to 1000000000', SET_USAGE],
    [['set', '{tenant}', '--burst', '1000000001'], '--burst 1000000001 is not a whole number from 1 to 1000000000', SET_USAGE],
    [['set', '{tenant}', '--rate-per-second', '5', '--burst', '2.5'], '--burst 2.5 is not a whole number from 1 to 1000000000', SET_USAGE],
    [['set', '{tenant}', '--retention-days', '0'], '--retention-days 0 is not a whole number from 1 to 36500', SET_USAGE],
    [['set', '{tenant}', '--retention-days', '36501'], '--retention-days 36501 is not a whole number from 1 to 36500', SET_USAGE],
    [['set', '{tenant}', '--retention-days', '030'], '--retention-days 030 is not a whole number from 1 to 36500', SET_USAGE],
    [['set', '{tenant}', '--retention-days', ' 30'], '--retention-days " 30" is not a whole number from 1 to 36500', SET_USAGE],
    [['set', '{tenant}', '--retention-days', 'forever'], '--retention-days forever is not a whole number from 1 to 36500', SET_USAGE],
    [['disable'], 'TENANT_ID is required', 'usage: npm run cli -- tenants disable TENANT_ID'],
    [['enable', '{tenant}', '--kind', 'ingest'], 'unknown option --kind', 'usage: npm run cli -- tenants enable TENANT_ID'],
    [['list', '{tenant}'], 'unexpected argument "{tenant}"', 'usage: npm run cli -- tenants list'],
  ])('tenants %j is a usage error: exit code 2, %s, then the usage', async (args, line, usage) => {
    const before = await allTenants();
    const fill = (text: string) => text.replaceAll('{tenant}', tenantId);
    expect(await run('tenants', ...args.map(fill))).toEqual({ code: 2, stdout: '', stderr: `${fill(line)}\n${usage}\n` });
    expect(await allTenants()).toEqual(before);
  });

  it.each([
    [[], 'a group is required', 'usage: npm run cli -- <group> <command> [options]'],
    [['tenant'], 'unknown group "tenant"', 'usage: npm run cli -- <group> <command> [options]'],
    [['--verbose'], 'unknown option --verbose (the group comes first)', 'usage: npm run cli -- <group> <command> [options]'],
    [['tenants'], 'a tenants command is required', 'usage: npm run cli -- tenants <command> [options]'],
    [['tenants', 'delete', '{tenant}'], 'unknown tenants command "delete"', 'usage: npm run cli -- tenants <command> [options]'],
  ])('%j is a usage error: exit code 2, %s, then the usage', async (args, line, usage) => {
    const before = await allTenants();
    expect(await run(...args.map((arg) => arg.replaceAll('{tenant}', tenantId)))).toEqual({
      code: 2,
      stdout: '',
      stderr: `${line}\n${usage}\n`,
    });
    expect(await allTenants()).toEqual(before);
  });
});

describe('--help on every level', () => {
  it.each([
    [['--help'], 'usage: npm run cli -- <group> <command> [options]'],
    [['-h'], 'usage: npm run cli -- <group> <command> [options]'],
    [['tenants', '--help'], 'usage: npm run cli -- tenants <command> [options]'],
    [
      ['tenants', 'create', '--help'],
      'usage: npm run cli -- tenants create --name NAME [--timezone ZONE] [--tenant-id UUID] [--access-token TOKEN]',
    ],
    [['tenants', 'list', '--help'], 'usage: npm run cli -- tenants list'],
    [
      ['tenants', 'rotate-token', '--help'],
      'usage: npm run cli -- tenants rotate-token TENANT_ID --kind ingest|access [--grace-seconds N]',
    ],
    [['tenants', 'disable', '-h'], 'usage: npm run cli -- tenants disable TENANT_ID'],
    [['tenants', 'enable', '--help'], 'usage: npm run cli -- tenants enable TENANT_ID'],
    [
      ['tenants', 'set', '--help'],
      'usage: npm run cli -- tenants set TENANT_ID [--retention-days N|none] [--rate-per-second N|default] [--burst N|default] [--signing-secret generate|none [--grace-seconds N]]',
    ],
    // Asked for help, the rest of the line is not checked.
    [['tenants', 'rotate-token', 'not-a-uuid', '--kind', 'both', '--bogus', '--help'], 'usage: npm run cli -- tenants rotate-token'],
  ])('%j prints the usage and help to stdout, exit code 0', async (args, usage) => {
    const result = await run(...args);
    expect(result).toEqual({ code: 0, stdout: expect.stringMatching(/\n$/), stderr: '' });
    expect(result.stdout.startsWith(usage)).toBe(true);
  });

  it('the top level lists the groups, a group its commands, a command its options', async () => {
    expect((await run('--help')).stdout).toMatch(/^groups:\n {2}tenants +create, list/m);
    const group = (await run('tenants', '--help')).stdout;
    for (const command of ['create', 'list', 'rotate-token', 'disable', 'enable', 'set'])
      expect(group).toMatch(new RegExp(`^  ${command} `, 'm'));
    const rotate = (await run('tenants', 'rotate-token', '--help')).stdout;
    expect(rotate.slice(rotate.indexOf('\noptions:'))).toBe(
      [
        '\noptions:',
        "  --kind ingest|access   which token: the senders' (ingest) or the API clients' (access); required",
        '  --grace-seconds N      how long the old token keeps working, 0 to 2592000 (30 days); default 0: it stops now',
        '  -h, --help             print this help\n',
      ].join('\n'),
    );
  });
});

describe('the database', () => {
  it('unreachable: one line naming Postgres and DATABASE_URL without the password, exit code 1', async () => {
    const port = await freePort();
    const url = `postgres://postgres:hunter2-secret@127.0.0.1:${port}/callstream`;
    expect(await cli({ DATABASE_URL: url }, ['tenants', 'list'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `cannot reach Postgres at postgres://postgres:***@127.0.0.1:${port}/callstream (DATABASE_URL): connect ECONNREFUSED\n`,
    });
  });

  it('not migrated: one line that says to run npm run setup, and nothing is created or migrated', async () => {
    const empty = await createTestDatabase(inject('adminDatabaseUrl'), 'template0');
    try {
      for (const args of [
        ['tenants', 'list'],
        ['tenants', 'disable', UNKNOWN_TENANT],
      ]) {
        expect(await cli({ DATABASE_URL: empty.url }, args)).toEqual({
          code: 1,
          stdout: '',
          stderr: `the database at ${empty.url} (DATABASE_URL) is not migrated to this version: run npm run setup\n`,
        });
      }
      const { rows } = await empty.pool.query(`select count(*)::int as tables from pg_tables where schemaname = 'public'`);
      expect(rows).toEqual([{ tables: 0 }]);
    } finally {
      await empty.drop();
    }
  });
});

describe('npm run cli, as an operator runs it', () => {
  const npmCli = (args: string[], env: Record<string, string> = { DATABASE_URL: db.url }) =>
    runScript(['npm', 'run', '--silent', 'cli', '--', ...args], env);

  it('prints the tenants as JSON lines and exits 0', async () => {
    const result = await npmCli(['tenants', 'list']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(printed(result)).toEqual(printed(await run('tenants', 'list')));
  });

  it('exits 2 on a usage error, 0 for --help, 1 when Postgres is unreachable', async () => {
    expect(await npmCli(['tenants', 'rotate-token'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'TENANT_ID is required\nusage: npm run cli -- tenants rotate-token TENANT_ID --kind ingest|access [--grace-seconds N]\n',
    });
    const help = await npmCli(['--help']);
    expect({ code: help.code, stderr: help.stderr, first: help.stdout.split('\n')[0] }).toEqual({
      code: 0,
      stderr: '',
      first: 'usage: npm run cli -- <group> <command> [options]',
    });
    const port = await freePort();
    expect(
      await runScript([...nodeScript('scripts/cli.ts'), 'tenants', 'list'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/x` }),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: `cannot reach Postgres at postgres://postgres@127.0.0.1:${port}/x (DATABASE_URL): connect ECONNREFUSED\n`,
    });
  });

  it('a bad variable stops it with the configuration line, exit code 1', async () => {
    expect(await npmCli(['tenants', 'list'], { DATABASE_URL: 'mysql://x' })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'invalid environment variable DATABASE_URL="mysql://x": Invalid URL\n',
    });
  });
});
