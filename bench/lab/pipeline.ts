import { randomBytes } from 'node:crypto';
import { callIdOf, callIdPrefix } from '../generator/callback.ts';
import { createHttpClient, type HttpClient } from '../load/http.ts';
import type { Lab } from './lab.ts';
import type { NodeProcess } from './processes.ts';
import { ingestRequest, lookupRequest } from './requests.ts';

/**
 * The three services running together on their own topics, as in production, with one HTTP client per
 * service. Ready once a callback sent through the ingress comes back from the query service.
 */
export interface Pipeline {
  ingress: NodeProcess;
  consumer: NodeProcess;
  query: NodeProcess;
  ingestClient: HttpClient;
  lookupClient: HttpClient;
  stop(): Promise<void>;
}

const READY_DEADLINE_MS = 60_000;

export async function startPipeline(lab: Lab): Promise<Pipeline> {
  const topics = await lab.topics('pipeline');
  const started: NodeProcess[] = [];
  const clients: HttpClient[] = [];
  const stop = async () => {
    await Promise.all(clients.map((client) => client.close()));
    for (const child of started.reverse()) await child.stop();
  };
  try {
    const query = await lab.service('query', 'query', {});
    started.push(query);
    const consumer = await lab.service('consumer', 'pipeline-consumer', {
      topics,
      group: `bench.pipeline.${randomBytes(4).toString('hex')}`,
    });
    started.push(consumer);
    const ingress = await lab.service('ingress', 'pipeline-ingress', { topics });
    started.push(ingress);
    const ingestClient = createHttpClient(ingress.origin, 512);
    const lookupClient = createHttpClient(query.origin, 128);
    clients.push(ingestClient, lookupClient);

    const callId = callIdOf(callIdPrefix(lab.random), 0);
    const accepted = await ingestClient.send(ingestRequest(lab, 0, callId));
    if (accepted !== 200) throw new Error(`the pipeline's ingress answered ${accepted} to a valid callback`);
    const deadline = Date.now() + READY_DEADLINE_MS;
    while ((await lookupClient.send(lookupRequest(lab, callId))) !== 200) {
      if (Date.now() > deadline)
        throw new Error(`a callback accepted by the ingress was not returned by the query service within ${READY_DEADLINE_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { ingress, consumer, query, ingestClient, lookupClient, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
