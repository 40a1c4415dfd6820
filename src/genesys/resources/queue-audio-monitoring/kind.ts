import type { KitConfig } from '../../../config/schema.js';
import { KitError } from '../../../errors.js';
import type { ActualObject, DesiredObject, KindContext, ResourceKind } from '../../engine/resource.js';
import { INTEGRATION_KIND } from '../integration/kind.js';
import { idsForNames } from '../shared/lookups.js';
import type { GenesysOrg } from '../shared/org.js';
import { getQueue, setAudioMonitoring } from './api.js';

export const QUEUE_AUDIO_MONITORING_KIND = 'queue-audio-monitoring';

/**
 * Audio monitoring on the configured queues: what makes Genesys stream a call to the Audiohook
 * integration (reference §8). The queues are the org's, not the kit's: the kit only flips
 * `enableAudioMonitoring`, keeps the value it found (in state, and before the write, so a killed run
 * cannot lose it) and puts it back on destroy. It never creates or deletes a queue.
 *
 * Objects are named after the queue (the org's name, not prefixed). Only queues recorded in state
 * are read back: a queue the kit has not touched yet is simply to be "created".
 */
export const queueAudioMonitoringKind: ResourceKind<KitConfig, GenesysOrg> = {
  kind: QUEUE_AUDIO_MONITORING_KIND,
  // After the Audiohook integration, so audio has somewhere to go once a queue streams it.
  dependsOn: [INTEGRATION_KIND],

  desired(config): DesiredObject[] {
    return config.widget.queues.map((name) => ({
      kind: QUEUE_AUDIO_MONITORING_KIND,
      name,
      spec: { enableAudioMonitoring: true },
    }));
  },

  async read(ctx): Promise<ActualObject[]> {
    const out: ActualObject[] = [];
    for (const r of ctx.recorded(QUEUE_AUDIO_MONITORING_KIND)) {
      const q = await getQueue(ctx.org, r.id);
      if (!q) continue; // deleted by someone: nothing left to restore
      out.push({
        kind: QUEUE_AUDIO_MONITORING_KIND,
        name: r.name,
        id: r.id,
        spec: { enableAudioMonitoring: q.enableAudioMonitoring === true },
        owner: undefined,
      });
    }
    return out;
  },

  async create(ctx, desired) {
    const { ids, missing } = idsForNames(await ctx.org.lookups.queues(), [desired.name]);
    if (missing.length > 0 || !ids[0]) {
      throw new KitError(
        'provision.unknown_queue',
        `widget.queues names queue "${desired.name}", which the org does not have`,
        {
          hint: 'create it in Genesys Cloud or fix widget.queues in the config',
        },
      );
    }
    const queue = await getQueue(ctx.org, ids[0]);
    if (!queue)
      throw new KitError('provision.unknown_queue', `queue "${desired.name}" disappeared while provisioning`);
    // A value kept by an earlier, interrupted run is the real previous one: this run may see its own change.
    const kept = ctx.recall(QUEUE_AUDIO_MONITORING_KIND, desired.name);
    const previous =
      kept && kept.queueId === queue.id && kept.previous !== undefined
        ? kept.previous
        : String(queue.enableAudioMonitoring === true);
    ctx.remember(QUEUE_AUDIO_MONITORING_KIND, desired.name, { queueId: queue.id!, previous });
    if (queue.enableAudioMonitoring !== true) await setAudioMonitoring(ctx.org, queue, true);
    return { id: queue.id!, outputs: { previous } };
  },

  async update(ctx, desired, actual) {
    const queue = await getQueue(ctx.org, actual.id);
    if (!queue)
      throw new KitError('provision.unknown_queue', `queue "${desired.name}" disappeared while provisioning`);
    if (queue.enableAudioMonitoring !== true) await setAudioMonitoring(ctx.org, queue, true);
    return { id: actual.id, outputs: { previous: previousOf(ctx, actual.name) } };
  },

  async remove(ctx, actual) {
    if (previousOf(ctx, actual.name) === 'true') return; // it was on before the kit
    const queue = await getQueue(ctx.org, actual.id);
    if (queue && queue.enableAudioMonitoring === true) await setAudioMonitoring(ctx.org, queue, false);
  },
};

function previousOf(ctx: KindContext<GenesysOrg>, name: string): string {
  return (
    ctx.outputOf(QUEUE_AUDIO_MONITORING_KIND, name, 'previous') ??
    ctx.recall(QUEUE_AUDIO_MONITORING_KIND, name)?.previous ??
    'false'
  );
}
