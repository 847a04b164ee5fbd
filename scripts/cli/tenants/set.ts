import { MAX_RETENTION_DAYS, setRetentionDays } from '../../../shared/tenants/retention.ts';
import { MAX_TENANT_RATE, setRateLimit, type RateLimitChange } from '../../../shared/tenants/rate-limit.ts';
import { MAX_GRACE_SECONDS } from '../../../shared/tenants/rotation.ts';
import { setSigningSecret, type SigningSecretChange } from '../../../shared/tenants/signing-secret.ts';
import type { TenantSummary } from '../../../shared/tenants/tenant-summary.ts';
import { defineCommand, UsageError } from '../command.ts';
import { withDatabase } from '../database.ts';
import { choiceOption, decimalOption } from '../values.ts';
import { tenantIdArgument } from './tenant-id.ts';

/** N, or `default` for the configured one (null); absent stays absent. */
function limitOption(option: string, text: string | undefined, min: number): number | null | undefined {
  if (text === undefined) return undefined;
  return text === 'default' ? null : decimalOption(option, text, min, MAX_TENANT_RATE);
}

/** generate [with --grace-seconds N] or none; absent stays absent, and --grace-seconds alone means nothing. */
function signingSecretOption(text: string | undefined, grace: string | undefined): SigningSecretChange | undefined {
  if (text === undefined) {
    if (grace !== undefined) throw new UsageError('--grace-seconds goes with --signing-secret generate');
    return undefined;
  }
  const kind = choiceOption('signing-secret', text, ['generate', 'none']);
  if (kind === 'none') {
    if (grace !== undefined) throw new UsageError('--grace-seconds goes with --signing-secret generate, not none');
    return { kind };
  }
  return { kind, graceSeconds: grace === undefined ? 0 : decimalOption('grace-seconds', grace, 0, MAX_GRACE_SECONDS) };
}

export const setCommand = defineCommand({
  name: 'set',
  summary: "change a tenant's settings: --retention-days, --rate-per-second, --burst, --signing-secret",
  arguments: ['TENANT_ID'],
  options: {
    'retention-days': {
      type: 'string',
      value: 'N|none',
      description: `keep calls N days (1 to ${MAX_RETENTION_DAYS}) after their callStartTime; none: for ever`,
    },
    'rate-per-second': {
      type: 'string',
      value: 'N|default',
      description: `callbacks per second the ingress takes from it (0: unlimited, up to ${MAX_TENANT_RATE}); default: TENANT_RATE_PER_SECOND`,
    },
    burst: {
      type: 'string',
      value: 'N|default',
      description: `callbacks it may send at once (1 to ${MAX_TENANT_RATE}); default: TENANT_BURST`,
    },
    'signing-secret': {
      type: 'string',
      value: 'generate|none',
      description: 'generate: a new secret its callbacks must be signed with, printed this once; none: unsigned again',
    },
    'grace-seconds': {
      type: 'string',
      value: 'N',
      description: `with generate: how long signatures made with the old secret still count, 0 to ${MAX_GRACE_SECONDS}; default 0`,
    },
  },
  synopsis:
    'TENANT_ID [--retention-days N|none] [--rate-per-second N|default] [--burst N|default] [--signing-secret generate|none [--grace-seconds N]]',
  description: [
    'Changes the tenant and prints it as tenants list does.',
    '--retention-days is enforced by the consumer, which deletes the calls older than that every',
    'RETENTION_INTERVAL_MS (retention run does it at once). A new tenant has none: its calls are kept for ever.',
    "--rate-per-second and --burst size the tenant's token bucket at the ingress, which answers 429 with",
    'Retry-After beyond it; running ingresses apply them within TENANT_CACHE_TTL_MS.',
    '--signing-secret generate gives the tenant a signing secret and prints it this once, with the tenant:',
    '{…,"signatureRequired":true,"signingSecret":…,"previousSigningSecretValidUntil":ISO time|null}',
    'From then on the ingress takes its callbacks only with a Callstream-Signature header made with it (README',
    '"Signed callbacks"). Generated again, it replaces the secret: signatures made with the old one stop,',
    'unless --grace-seconds keeps them valid until previousSigningSecretValidUntil (by the database clock).',
    'The secret is stored as it is (an HMAC is checked with the key itself). --signing-secret none removes it:',
    'callbacks are taken unsigned again. Running ingresses apply both within TENANT_CACHE_TTL_MS, and a',
    'signature made with a new secret at once.',
  ].join('\n'),
  async run({ args, options }, context) {
    const retention = options['retention-days'];
    const rateLimit: RateLimitChange = {};
    const rate = limitOption('rate-per-second', options['rate-per-second'], 0);
    const burst = limitOption('burst', options.burst, 1);
    if (rate !== undefined) rateLimit.ratePerSecond = rate;
    if (burst !== undefined) rateLimit.burst = burst;
    const signing = signingSecretOption(options['signing-secret'], options['grace-seconds']);
    if (retention === undefined && rate === undefined && burst === undefined && signing === undefined) {
      throw new UsageError('nothing to set: give --retention-days, --rate-per-second, --burst or --signing-secret');
    }
    const days = retention === undefined || retention === 'none' ? null : decimalOption('retention-days', retention, 1, MAX_RETENTION_DAYS);
    const tenantId = tenantIdArgument(args[0]!);
    context.print(
      await withDatabase(context.config(), async (db): Promise<TenantSummary | object> => {
        // Every value is checked above, so a later statement fails only if the database does. Each returns
        // the tenant as it then is, so the last one's is the tenant after all of them.
        let tenant: TenantSummary | undefined;
        if (retention !== undefined) tenant = await setRetentionDays(db, tenantId, days);
        if (rate !== undefined || burst !== undefined) tenant = await setRateLimit(db, tenantId, rateLimit);
        if (signing === undefined) return tenant!;
        const { tenant: signed, ...secret } = await setSigningSecret(db, tenantId, signing);
        return { ...signed, ...secret };
      }),
    );
  },
});
