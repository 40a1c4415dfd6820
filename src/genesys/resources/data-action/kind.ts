import type { KitConfig } from '../../../config/schema.js';
import { ownerFromText } from '../../engine/ownership.js';
import { ref, type ActualObject, type DesiredObject, type ResourceKind } from '../../engine/resource.js';
import { listIntegrations } from '../integration/api.js';
import { INTEGRATION_KIND } from '../integration/kind.js';
import { inNamespace, names } from '../names.js';
import type { GenesysOrg } from '../shared/org.js';
import { createAction, deleteAction, getAction, listActions, patchAction } from './api.js';
import { renderDataActions, type DataActionDefinition } from './templates.js';

export const DATA_ACTION_KIND = 'data-action';

/**
 * The kit's data actions on its Web Services Data Actions integration, one per template. An action
 * has no description to carry a marker; it belongs to the deployment that owns its integration.
 */
export const dataActionKind: ResourceKind<KitConfig, GenesysOrg> = {
  kind: DATA_ACTION_KIND,
  dependsOn: [INTEGRATION_KIND],

  desired(config): DesiredObject[] {
    const integration = names(config).dataActions;
    return renderDataActions(config).map(({ definition }) => ({
      kind: DATA_ACTION_KIND,
      name: definition.name,
      spec: { ...specOf(definition), integrationId: ref(INTEGRATION_KIND, integration) },
    }));
  },

  async read(ctx, prefix): Promise<ActualObject[]> {
    const mine = (await listActions(ctx.org)).filter((a) => inNamespace(a.name, prefix));
    if (mine.length === 0) return [];
    const integrations = await listIntegrations(ctx.org);
    return mine.map((a) => {
      const integration = integrations.find((i) => i.id === a.integrationId);
      return {
        kind: DATA_ACTION_KIND,
        name: a.name,
        id: a.id,
        spec: { ...specOf(a.definition), integrationId: a.integrationId, actionVersion: a.version },
        owner: integration ? (ownerFromText(integration.notes) ?? undefined) : undefined,
      };
    });
  },

  async create(ctx, desired) {
    return { id: await createAction(ctx.org, definitionOf(desired), desired.spec.integrationId as string) };
  },

  async update(ctx, desired, actual) {
    const definition = definitionOf(desired);
    const integrationId = desired.spec.integrationId as string;
    // A published contract (and the secure flag) cannot change, nor can an action move to another
    // integration: the action is replaced. Flows find it again by category and name.
    const replace =
      !sameJson(definition.contract, actual.spec.contract) ||
      definition.secure !== actual.spec.secure ||
      integrationId !== actual.spec.integrationId;
    if (replace) {
      await deleteAction(ctx.org, actual.id);
      return { id: await createAction(ctx.org, definition, integrationId) };
    }
    try {
      await patchAction(ctx.org, actual.id, actual.spec.actionVersion as number, definition);
    } catch (err) {
      // Someone saved it since it was read: read its version again, once.
      const fresh = await getAction(ctx.org, actual.id);
      if (!fresh || fresh.version === actual.spec.actionVersion) throw err;
      await patchAction(ctx.org, actual.id, fresh.version, definition);
    }
    return { id: actual.id };
  },

  async remove(ctx, actual) {
    await deleteAction(ctx.org, actual.id);
  },
};

/** Equal JSON values, whatever the order of object keys. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function specOf(d: DataActionDefinition): Record<string, unknown> {
  return { category: d.category, secure: d.secure, config: d.config, contract: d.contract };
}

function definitionOf(desired: DesiredObject): DataActionDefinition {
  const s = desired.spec;
  return {
    name: desired.name,
    category: s.category as string,
    secure: s.secure as boolean,
    config: s.config as Record<string, unknown>,
    contract: s.contract as DataActionDefinition['contract'],
  };
}
