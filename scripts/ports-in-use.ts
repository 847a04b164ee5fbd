import { createServer } from 'node:net';
import type { ListenPort } from '../shared/npm-start-ports.ts';
import { portInUse, StartupError } from '../shared/startup-error.ts';

/**
 * npm start checks its ports before it starts anything: otherwise a second instance would see the first
 * one's health checks answer, print "running" with curls that reach the first, and only then die.
 * Returns one error naming every port taken (with its variable), or undefined when all are free.
 */
export async function portsInUse(ports: readonly ListenPort[]): Promise<StartupError | undefined> {
  const problems: string[] = [];
  for (const { variable, port, host } of ports) {
    const code = await tryListen(host, port);
    if (code === 'EADDRINUSE') problems.push(portInUse(variable, port).message);
    else if (code) problems.push(`cannot listen on ${host} port ${port} (HOST, ${variable}): listen ${code}`);
  }
  return problems.length > 0 ? new StartupError('PORT_IN_USE', problems.join('; ')) : undefined;
}

/** Binding is the test a service's listen() would meet: a connect would miss a port held on another address. */
function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'EUNKNOWN'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => done(undefined)));
  });
}
