import { z } from 'zod';
import { MAX_LISTED_ISSUES } from './callback-body/issue-list.ts';

/**
 * What travels on the quarantine topic `call-records.rejected.v1` (docs/topic-contract.md): a callback that was
 * refused with 422, kept byte for byte as its sender posted it, with the reasons, so it can be inspected
 * and replayed once the schema is fixed. Only authenticated requests get here: without a tenant there is
 * nobody to attribute the payload to.
 */
export const REJECTED_SCHEMA_VERSION = 1;

export const rejectedCallbackSchema = z
  .object({
    schemaVersion: z.literal(REJECTED_SCHEMA_VERSION),
    eventId: z.uuid().meta({ description: 'id of this rejection, unique per delivery' }),
    tenantId: z.string().min(1),
    receivedAt: z.iso.datetime({ offset: false }).meta({ description: 'when ingress received the request, ISO 8601 UTC' }),
    contentType: z.string().meta({ description: 'the Content-Type header of the request' }),
    body: z.string().meta({ description: 'the request body exactly as received, decoded as UTF-8' }),
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .min(1)
      // Not bounded in the schema: records written before the cap may list more.
      .meta({ description: `why it was refused: the same list the sender got in its 422 answer, the first ${MAX_LISTED_ISSUES} at most` }),
    // Optional, so that records written before the list was capped still read.
    issueCount: z
      .int()
      .min(MAX_LISTED_ISSUES + 1)
      .optional()
      .meta({
        description: 'present only when issues were left out: how many were found (a lower bound when checking stopped early on a flood)',
      }),
    issuesTruncated: z.literal(true).optional().meta({ description: 'present (true) only when issues lists fewer than were found' }),
  })
  .meta({ title: 'Rejected call-record callback', description: 'A callback refused with 422, as kept on call-records.rejected.v1.' });

export type RejectedCallback = z.output<typeof rejectedCallbackSchema>;

/** Keyed by tenant: a tenant's rejections stay in order, and no callId is trusted from a refused body. */
export function rejectedKey(rejected: RejectedCallback): string {
  return rejected.tenantId;
}
