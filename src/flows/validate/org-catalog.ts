import type { KitConfig } from '../../config/schema.js';
import { createPlatformClient } from '../../genesys/platform/index.js';
import { listActions } from '../../genesys/resources/data-action/api.js';
import { listFlows } from '../../genesys/resources/flow/api.js';
import { createOrg } from '../../genesys/resources/shared/org.js';
import type { Logger } from '../../log.js';
import type { OnProgress } from '../../progress.js';
import { dataActionInfo, type Catalog } from './catalog.js';
import { genesysOf } from '../../config/platform.js';

/**
 * `flows validate --org`: the org's published data actions, its common modules (by name: the
 * Platform API does not return a module's variables, so their inputs and outputs are not checked)
 * and its queues.
 */
export async function orgCatalog(config: KitConfig, logger: Logger, onProgress?: OnProgress): Promise<Catalog> {
  const platform = createPlatformClient(genesysOf(config), { logger, ...(onProgress ? { onProgress } : {}) });
  try {
    const org = createOrg(platform, { provisionerClientId: genesysOf(config).clientId });
    const [actions, flows, queues] = await Promise.all([
      listActions(org),
      listFlows(org, ['commonmodule']),
      org.lookups.queues(),
    ]);
    return {
      dataActions: actions.map((a) => dataActionInfo(a.definition)),
      modules: flows.map((f) => ({ name: f.name, inputs: {}, outputs: {}, from: 'the org', ioUnknown: true })),
      queues: queues.map((q) => q.name),
      dataActionsFrom: 'the org',
    };
  } finally {
    platform.close();
  }
}
