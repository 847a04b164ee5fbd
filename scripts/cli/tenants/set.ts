import { MAX_RETENTION_DAYS, setRetentionDays } from '../../../shared/tenants/retention.ts';
import { MAX_TENANT_RATE, setRateLimit, type RateLimitChange } from '../../../shared/tenants/rate-limit.ts';
import { defineCommand, UsageError } from '../command.ts';
import { withDatabase } from '../database.ts';
import { decimalOption } from '../values.ts';
import { tenantIdArgument } from './tenant-id.ts';

/** N, or `default` for the configured one (null); absent stays absent. */
function limitOption(option: string, text: string | undefined, min: number): number | null | undefined {
  if (text === undefined) return undefined;
  return text === 'default' ? null : decimalOption(option, text, min, MAX_TENANT_RATE);
}

export const setCommand = defineCommand({
  name: 'set',
  summary: "change a tenant's settings: --retention-days, --rate-per-second, --burst",
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
  },
  synopsis: 'TENANT_ID [--retention-days N|none] [--rate-per-second N|default] [--burst N|default]',
  description: [
    'Changes the tenant and prints it as tenants list does.',
    '--retention-days is enforced by the consumer, which deletes the calls older than that every',
    'RETENTION_INTERVAL_MS (retention run does it at once). A new tenant has none: its calls are kept for ever.',
    "--rate-per-second and --burst size the tenant's token bucket at the ingress, which answers 429 with",
    'Retry-After beyond it; running ingresses apply them within TENANT_CACHE_TTL_MS.',
  ].join('\n'),
  async run({ args, options }, context) {
    const retention = options['retention-days'];
    const rateLimit: RateLimitChange = {};
    const rate = limitOption('rate-per-second', options['rate-per-second'], 0);
    const burst = limitOption('burst', options.burst, 1);
    if (rate !== undefined) rateLimit.ratePerSecond = rate;
    if (burst !== undefined) rateLimit.burst = burst;
    if (retention === undefined && rate === undefined && burst === undefined) {
      throw new UsageError('nothing to set: give --retention-days, --rate-per-second or --burst');
    }
    const days = retention === undefined || retention === 'none' ? null : decimalOption('retention-days', retention, 1, MAX_RETENTION_DAYS);
    const tenantId = tenantIdArgument(args[0]!);
    context.print(
      await withDatabase(context.config(), async (db) => {
        // Every value is checked above, so the second statement fails only if the database does.
        const retained = retention === undefined ? undefined : await setRetentionDays(db, tenantId, days);
        return rate === undefined && burst === undefined ? retained! : setRateLimit(db, tenantId, rateLimit);
      }),
    );
  },
});
