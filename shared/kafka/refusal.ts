/**
 * Kafka answered but would not have us: wrong credentials, or a certificate this client does not trust.
 * Unlike a broker that cannot be reached (a wrong address: start-up stops with one line), these are fixed
 * on the other side too — a credential created or rotated on the cluster, a CA deployed — so a service
 * keeps running, unready and answering 503, logs the cause once and connects by itself once accepted.
 */
export type KafkaRefusalCode = 'KAFKA_AUTHENTICATION_FAILED' | 'KAFKA_CERTIFICATE_NOT_TRUSTED';

export interface KafkaRefusal {
  code: KafkaRefusalCode;
  /** For the log line: what happened and which variables to look at. Never a credential. */
  reason: string;
}

/** Node's codes for a peer certificate that does not verify (tls, X509_V_ERR_* as OpenSSL names them). */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The refusal somewhere in the error's causes (kafkajs wraps it in a retries-exceeded error), or undefined. */
export function kafkaRefusal(error: unknown): KafkaRefusal | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current.name === 'KafkaJSSASLAuthenticationError') {
      return { code: 'KAFKA_AUTHENTICATION_FAILED', reason: 'authentication failed (check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD)' };
    }
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code)) {
      return { code: 'KAFKA_CERTIFICATE_NOT_TRUSTED', reason: `certificate not trusted: ${code} (check KAFKA_SSL_CA_FILE)` };
    }
    current = (current as { cause?: unknown }).cause ?? (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

export interface RefusalLog {
  error(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * Connects; a refusal is logged (one line, with the cause) and answered false instead of thrown, so that
 * the service can start unready and connect later. Any other failure is thrown as before.
 */
export async function connectUnlessRefused(connect: () => Promise<unknown>, brokers: readonly string[], log: RefusalLog): Promise<boolean> {
  try {
    await connect();
    return true;
  } catch (error) {
    const refusal = kafkaRefusal(error);
    if (!refusal) throw error;
    log.error(
      { code: refusal.code, brokers: brokers.join(',') },
      `Kafka refused the connection: ${refusal.reason}; not ready, retrying until it accepts`,
    );
    return false;
  }
}
