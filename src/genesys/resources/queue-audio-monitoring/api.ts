import type platformClient from 'purecloud-platform-client-v2';
import { isGenesysApiError } from '../../platform/index.js';
import type { GenesysOrg } from '../shared/org.js';

/** The Platform API calls of the queue-audio-monitoring kind (RoutingApi), and nothing else. */

export type Queue = platformClient.Models.Queue;

export async function getQueue(org: GenesysOrg, id: string): Promise<Queue | undefined> {
  try {
    return await org.platform.call(() => org.platform.api.routing.getRoutingQueue(id), {
      description: 'read a queue',
    });
  } catch (err) {
    if (isGenesysApiError(err) && err.status === 404) return undefined;
    throw err;
  }
}

/**
 * Sets `enableAudioMonitoring` and nothing else. Genesys' PUT replaces the queue, so the queue goes
 * back exactly as it was read, with that one field changed.
 */
export async function setAudioMonitoring(org: GenesysOrg, queue: Queue, enabled: boolean): Promise<void> {
  const body = { ...queue, enableAudioMonitoring: enabled } as unknown as platformClient.Models.QueueRequest;
  await org.platform.call(() => org.platform.api.routing.putRoutingQueue(queue.id!, body), {
    description: `${enabled ? 'turn on' : 'turn off'} audio monitoring on queue ${queue.name ?? queue.id}`,
  });
}
