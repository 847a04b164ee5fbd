/**
 * What a service tells the process that started it with an IPC channel (npm start) once it listens or
 * could not start. A health check alone cannot tell: it may be answered by another instance that holds
 * the port. Without a channel (docker, a terminal) these do nothing.
 */
export type StartupReport = { listening: true } | { startupFailed: string };

export function isStartupReport(message: unknown): message is StartupReport {
  if (typeof message !== 'object' || message === null) return false;
  return (
    (message as { listening?: unknown }).listening === true || typeof (message as { startupFailed?: unknown }).startupFailed === 'string'
  );
}

/** Sends the report and waits until it is handed over (or a second passes); never throws. */
export async function reportStartup(report: StartupReport): Promise<void> {
  if (!process.send || !process.connected) return;
  await new Promise<void>((done) => {
    setTimeout(done, 1_000).unref();
    process.send!(report, () => done());
  });
  // An open channel would keep this process alive after its server closed; a later failure (the consumer
  // joins Kafka after it listens) can still be reported on it.
  process.channel?.unref();
}
