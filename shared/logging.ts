import type { FastifyServerOptions } from 'fastify';

export type LoggerOptions = Exclude<NonNullable<FastifyServerOptions['logger']>, boolean>;

export const REDACTED = '[REDACTED]';

/**
 * Logger options for every service: JSON lines (pino), with tokens redacted wherever they can appear:
 * the auth headers and the query parameters that senders without header support use.
 */
export function loggerOptions(level: string, service: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-callstream-token"]', 'req.headers["x-commubo-accesstoken"]'],
      censor: REDACTED,
    },
    serializers: {
      req(request: { method: string; url: string; hostname?: string; ip?: string; id?: string }) {
        return { id: request.id, method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
      },
    },
  };
}

/**
 * A parameter name that may carry a credential, compared without case or punctuation (`access_token`,
 * `accessToken`, `token[]`, ` token`). Generous on purpose: a parameter redacted for nothing costs a
 * less useful log line, a missed one leaks a secret.
 */
const SECRET_NAME = /token|passw|pwd|secret|apikey|auth|credential|signature|session/;

export function isSecretParameter(decodedName: string): boolean {
  return SECRET_NAME.test(decodedName.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/**
 * The URL with the value of every secret parameter replaced. Names are compared as the server decodes
 * them (find-my-way splits the query off at the first `?` or `#`, fast-querystring turns `+` into a space
 * and percent-decodes), and decoded again while that changes them, so `%74oken` and `%2574oken` count as
 * `token`. The raw spelling of each name is kept, so the line still shows what was sent.
 */
export function redactUrl(url: string): string {
  const start = firstQueryDelimiter(url);
  if (start === -1) return url;
  const pairs = url.slice(start + 1).split('&');
  let changed = false;
  for (let index = 0; index < pairs.length; index++) {
    const pair = pairs[index]!;
    const equals = pair.indexOf('=');
    if (equals === -1) continue;
    const name = pair.slice(0, equals);
    if (isSecretParameter(decodedName(name))) {
      pairs[index] = `${name}=${REDACTED}`;
      changed = true;
    }
  }
  return changed ? `${url.slice(0, start + 1)}${pairs.join('&')}` : url;
}

function firstQueryDelimiter(url: string): number {
  const question = url.indexOf('?');
  const hash = url.indexOf('#');
  if (question === -1) return hash;
  return hash === -1 ? question : Math.min(question, hash);
}

function decodedName(raw: string): string {
  let name = raw.replace(/\+/g, ' ');
  for (let round = 0; round < 4 && name.includes('%'); round++) {
    const next = decodeOrKeep(name);
    if (next === name) break;
    name = next;
  }
  return name;
}

/** decodeURIComponent, or the text as it is where it is not valid percent-encoding (as fast-querystring does). */
function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Decode what can be decoded: a name like `%ZZ%74oken` must still read as containing `token`.
    return text.replace(/%[0-9a-f]{2}/gi, (escape) => {
      const code = Number.parseInt(escape.slice(1), 16);
      return code < 0x80 ? String.fromCharCode(code) : escape;
    });
  }
}
