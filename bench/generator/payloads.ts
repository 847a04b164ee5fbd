import { generateCallback } from './callback.ts';

/**
 * Request bodies for the load generator. Generating a callback costs ~0.2 ms of the load generator's
 * CPU, which shares the machine with the services under test, so a set of templates is generated once
 * and each request only splices its own call id into one of them.
 */
const PLACEHOLDER = '\u0000CALLID\u0000';

export interface PayloadSet {
  readonly templates: number;
  /** Mean UTF-8 size of a body, in bytes. */
  readonly meanBytes: number;
  /** The body of request `index` with its call id: payload `index % templates` of the seed. */
  body(index: number, callId: string): string;
}

export function createPayloadSet(seed: number, templates: number): PayloadSet {
  const parts = Array.from({ length: templates }, (_, index) =>
    JSON.stringify(generateCallback(seed, index, PLACEHOLDER)).split(JSON.stringify(PLACEHOLDER).slice(1, -1)),
  );
  // A call id is 36 ASCII characters, so a body's size does not depend on which id it carries.
  const callIdBytes = 36;
  const total = parts.reduce((sum, pieces) => sum + Buffer.byteLength(pieces.join('')) + (pieces.length - 1) * callIdBytes, 0);
  return {
    templates,
    meanBytes: Math.round(total / templates),
    body: (index, callId) => parts[index % templates]!.join(callId),
  };
}
