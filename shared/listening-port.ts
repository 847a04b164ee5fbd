import type { FastifyInstance } from 'fastify';

/** The port a started service listens on (the one the system chose for port 0), or undefined without a socket. */
export function listeningPort(app: FastifyInstance): number | undefined {
  const address = app.server.listening ? app.server.address() : null;
  return typeof address === 'object' && address !== null ? address.port : undefined;
}
