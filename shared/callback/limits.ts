/**
 * Bounds of the callback that come from where it is stored, not from taste: whatever the ingress
 * accepts, the consumer must be able to write. Each bound is in the zod schema, so the published JSON
 * Schema and the 422 answers say it too.
 */

/** GET /v1/calls/{callId} takes ids up to this length, so every stored call can be asked for. */
export const MAX_CALL_ID_LENGTH = 128;

/**
 * Text that lands in a btree-indexed column (phone numbers, the contact's mobile, label names). A btree
 * entry holds at most 2,704 bytes; 256 characters (Unicode code points, as zod and JSON Schema's maxLength
 * count them) are at most 1,024 bytes of UTF-8, with room for the tenant id and timestamp beside it in the
 * same index entry.
 */
export const MAX_INDEXED_TEXT_LENGTH = 256;

/**
 * Local times whose instant is a valid Postgres timestamp (year 1 to 9999 as ISO 8601, the form the
 * consumer writes) in every IANA zone: offsets stay within a day of UTC (the largest are local mean times,
 * Asia/Manila −15:56:08 before 1845 and America/Metlakatla +15:13:42 before 1867), so one day of margin at
 * each end covers them all.
 */
export const EARLIEST_LOCAL_TIME = '0001-01-02 00:00:00';
export const LATEST_LOCAL_TIME = '9999-12-30 23:59:59';
