import { createHash } from 'node:crypto';

/**
 * The contact of a call as the call-history API identifies it (customer.customerId): the consumer stores
 * it with the call (calls.customer_id, the key of contacts), the query service answers it, and migration
 * 0007's back-fill computes the same in SQL. They must agree byte for byte.
 */

/** A value worth reporting: empty strings are "no value", like null. */
function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value !== '';
}

/** What identifies the contact: its mobile, else the customer number, else the call itself. */
export function contactKeyOf(call: { contactMobile: string | null; customerNumber: string | null; callId: string }): string {
  return [call.contactMobile, call.customerNumber].find(present) ?? `call:${call.callId}`;
}

/** A stable UUID-shaped id for a tenant's contact: the first 128 bits of SHA-256(tenant, NUL, key). */
export function customerIdFor(tenantId: string, contactKey: string): string {
  const hex = createHash('sha256').update(`${tenantId.toLowerCase()}\u0000${contactKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
