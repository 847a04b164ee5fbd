import type { FixedStatusCode } from '../../shared/http/error-codes.ts';
import type { FrameworkErrorSettings } from '../../shared/http/framework-errors.ts';
import type { SignatureRefusal } from './signature/callback-signature.ts';

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

const SIGNATURE_FORMAT = 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">';

/**
 * The 401 of a refused signature: the code says why, the message how to sign; neither quotes the header,
 * the body or anything of the secret.
 */
export function signatureRefusalAnswer(refusal: SignatureRefusal, toleranceSeconds: number): { code: FixedStatusCode; message: string } {
  switch (refusal) {
    case 'missing':
      return {
        code: 'SIGNATURE_MISSING',
        message: `this tenant's callbacks must be signed: send Callstream-Signature: ${SIGNATURE_FORMAT}`,
      };
    case 'malformed':
      return { code: 'SIGNATURE_MALFORMED', message: `the Callstream-Signature header must be ${SIGNATURE_FORMAT}[,v1=…]` };
    case 'mismatch':
      return {
        code: 'SIGNATURE_MISMATCH',
        message: "no v1 signature matches the body and timestamp under the tenant's signing secret",
      };
    case 'timestamp_out_of_tolerance':
      return {
        code: 'SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE',
        message: `the signature's timestamp t is more than ${toleranceSeconds} seconds away from the ingress's clock; sign each request as it is sent`,
      };
  }
}
