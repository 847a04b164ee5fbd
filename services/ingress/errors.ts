import type { FrameworkErrorSettings } from '../../shared/http/framework-errors.ts';

/**
 * The ingress's wording within the one vocabulary of shared/http/error-codes.ts: some of Fastify's
 * refusals are worded here for callbacks; a 5xx never tells the sender more than that it should retry.
 */
export const KAFKA_UNAVAILABLE_MESSAGE = 'Kafka is not reachable; the record was not accepted, retry later';

/** How the ingress words Fastify's refusals; the rest are shared/http's. */
export function frameworkErrorSettings(limits: { bodyLimit: number }): FrameworkErrorSettings {
  return {
    overrides: {
      FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE', message: `the body is larger than ${limits.bodyLimit} bytes` },
      FST_ERR_CTP_INVALID_MEDIA_TYPE: {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'send the callback as a JSON object with Content-Type: application/json',
      },
      FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'EMPTY_BODY', message: 'the body is empty; send one callback as a JSON object' },
    },
  };
}
