import type { KitConfig } from '../../config/schema.js';
import { DATA_ACTION_TEMPLATES_DIR, renderDataActions } from '../../genesys/resources/data-action/templates.js';
import { dataActionInfo, type Catalog } from './catalog.js';

/** The kit's own data actions (rendered from the config's templates), as a catalog for validation. */
export function kitCatalog(config: KitConfig): Catalog {
  return {
    dataActions: renderDataActions(config, DATA_ACTION_TEMPLATES_DIR, { check: false }).map(({ definition }) => dataActionInfo(definition)),
    modules: [],
    dataActionsFrom: "the kit's data actions",
  };
}
