import type { KitConfig } from '../../../config/schema.js';
import { audiohookOf } from '../../../config/platform.js';
import { KitError } from '../../../errors.js';
import { diffSpec } from '../../engine/diff.js';
import { ownerFromText, withMarker } from '../../engine/ownership.js';
import {
  ref,
  type ActualObject,
  type DesiredObject,
  type FieldChange,
  type KindContext,
  type ResourceKind,
} from '../../engine/resource.js';
import { CREDENTIAL_KIND } from '../credential/kind.js';
import { inNamespace, names, widgetAppUrl } from '../names.js';
import { idsForNames, namesForIds, sorted, type Named } from '../shared/lookups.js';
import type { GenesysOrg } from '../shared/org.js';
import {
  createIntegration,
  deleteIntegration,
  listIntegrations,
  putConfig,
  setEnabled,
  typeMismatch,
  type IntegrationRecord,
} from './api.js';

export const INTEGRATION_KIND = 'integration';

export const INTEGRATION_TYPES = {
  audiohook: 'audiohook',
  widget: 'embedded-client-app-interaction-widget',
  dataActions: 'custom-rest-actions',
} as const;

/** iframe sandbox of the widget: the premium-app default (popups for the Genesys login popup). */
export const WIDGET_SANDBOX =
  'allow-forms,allow-modals,allow-popups,allow-presentation,allow-same-origin,allow-scripts,allow-downloads';
/** iframe `allow` list: the widget plays back no microphone; it only copies ids for the agent. */
export const WIDGET_PERMISSIONS = 'clipboard-write';

const NOTES: Record<string, string> = {
  [INTEGRATION_TYPES.audiohook]: 'Streams call audio to das-Peak Streaming (daspeak-genesys).',
  [INTEGRATION_TYPES.widget]: 'Voice biometrics next to the call (daspeak-genesys).',
  [INTEGRATION_TYPES.dataActions]: 'das-Peak Streaming and the daspeak-genesys backend for Architect flows.',
};

type Spec = Record<string, unknown>;

export const integrationKind: ResourceKind<KitConfig, GenesysOrg> = {
  kind: INTEGRATION_KIND,
  dependsOn: [CREDENTIAL_KIND],

  desired(config): DesiredObject[] {
    const n = names(config);
    const common = { ownershipMarker: true, advanced: {}, enabled: true };
    return [
      {
        kind: INTEGRATION_KIND,
        name: n.audiohook,
        spec: {
          type: INTEGRATION_TYPES.audiohook,
          ...common,
          properties: { channel: 'both', connectionUri: audiohookOf(config).connectionUri },
          credentials: { audioHook: ref(CREDENTIAL_KIND, n.audiohookCredential) },
        },
      },
      {
        kind: INTEGRATION_KIND,
        name: n.widget,
        spec: {
          type: INTEGRATION_TYPES.widget,
          ...common,
          // Queues and groups are named in the config and compared by name; ids are written.
          properties: {
            url: widgetAppUrl(config),
            sandbox: WIDGET_SANDBOX,
            permissions: WIDGET_PERMISSIONS,
            groups: sorted(config.widget.groups),
            queueIdFilterList: sorted(config.widget.queues),
            communicationTypeFilter: 'call',
          },
          credentials: {},
        },
      },
      {
        kind: INTEGRATION_KIND,
        name: n.dataActions,
        spec: {
          type: INTEGRATION_TYPES.dataActions,
          ...common,
          properties: {},
          credentials: { basicAuth: ref(CREDENTIAL_KIND, n.dataActionsCredential) },
        },
      },
    ];
  },

  async read(ctx, prefix): Promise<ActualObject[]> {
    const mine = (await listIntegrations(ctx.org)).filter((i) => inNamespace(i.name, prefix));
    const out: ActualObject[] = [];
    for (const i of mine) {
      const owner = ownerFromText(i.notes);
      const properties =
        i.typeId === INTEGRATION_TYPES.widget
          ? await widgetPropertiesByName(ctx, i.properties)
          : i.properties;
      out.push({
        kind: INTEGRATION_KIND,
        name: i.name,
        id: i.id,
        spec: {
          type: i.typeId,
          ownershipMarker: owner === ctx.deploymentId,
          properties,
          advanced: i.advanced,
          credentials: i.credentials,
          enabled: i.enabled,
          // Not compared (no desired counterpart): the version the next configuration PUT must carry.
          configVersion: i.version,
        },
        owner,
      });
    }
    return out;
  },

  // Genesys matches queue and group names without regard to case; so does the comparison.
  compare(desired, actual): FieldChange[] {
    return diffSpec(foldNames(desired), foldNames(actual.spec), { kind: actual.kind, name: actual.name });
  },

  async create(ctx, desired) {
    const type = desired.spec.type as string;
    const id = await createIntegration(ctx.org, desired.name, type);
    await putConfig(ctx.org, id, await configOf(ctx, desired), 1);
    if (desired.spec.enabled === true) await setEnabled(ctx.org, id, true);
    return { id };
  },

  async update(ctx, desired, actual) {
    const type = desired.spec.type as string;
    if (actual.spec.type !== type) throw typeMismatch(actual.name, String(actual.spec.type), type);
    const { enabled, ...config } = foldNames(desired.spec);
    const { enabled: wasEnabled, ...current } = foldNames(actual.spec);
    const configChanges = diffSpec(config, current, { kind: actual.kind, name: actual.name });
    if (configChanges.length > 0) {
      await putConfig(ctx.org, actual.id, await configOf(ctx, desired), actual.spec.configVersion as number);
    }
    if (enabled !== wasEnabled) await setEnabled(ctx.org, actual.id, enabled === true);
    return { id: actual.id };
  },

  async remove(ctx, actual) {
    await deleteIntegration(ctx.org, actual.id);
  },
};

function foldNames(spec: Spec): Spec {
  const p = spec.properties as Spec | undefined;
  if (!p || (!Array.isArray(p.groups) && !Array.isArray(p.queueIdFilterList))) return spec;
  const fold = (v: unknown) => (Array.isArray(v) ? sorted(v.map((x) => String(x).toLowerCase())) : v);
  return {
    ...spec,
    properties: { ...p, groups: fold(p.groups), queueIdFilterList: fold(p.queueIdFilterList) },
  };
}

async function widgetPropertiesByName(ctx: KindContext<GenesysOrg>, p: Spec): Promise<Spec> {
  const groups = Array.isArray(p.groups) ? (p.groups as string[]) : [];
  const queues = Array.isArray(p.queueIdFilterList) ? (p.queueIdFilterList as string[]) : [];
  return {
    ...p,
    groups: sorted(groups.length ? namesForIds(await ctx.org.lookups.groups(), groups) : []),
    queueIdFilterList: sorted(queues.length ? namesForIds(await ctx.org.lookups.queues(), queues) : []),
  };
}

function resolve(all: Named[], wanted: string[], what: string, key: string): string[] {
  const { ids, missing } = idsForNames(all, wanted);
  if (missing.length > 0) {
    throw new KitError(
      `provision.unknown_${what}`,
      `${key} names ${what}${missing.length > 1 ? 's' : ''} the org does not have: ${missing.map((m) => `"${m}"`).join(', ')}`,
      { hint: `create ${missing.length > 1 ? 'them' : 'it'} in Genesys Cloud or fix ${key} in the config` },
    );
  }
  return ids;
}

/** The configuration as Genesys stores it: marker in the notes, queue and group ids. */
async function configOf(ctx: KindContext<GenesysOrg>, desired: DesiredObject) {
  const type = desired.spec.type as string;
  let properties = desired.spec.properties as Spec;
  if (type === INTEGRATION_TYPES.widget) {
    const groups = properties.groups as string[];
    const queues = properties.queueIdFilterList as string[];
    properties = {
      ...properties,
      groups: groups.length ? resolve(await ctx.org.lookups.groups(), groups, 'group', 'widget.groups') : [],
      queueIdFilterList: queues.length
        ? resolve(await ctx.org.lookups.queues(), queues, 'queue', 'widget.queues')
        : [],
    };
  }
  return {
    name: desired.name,
    notes: withMarker(NOTES[type], ctx.deploymentId),
    properties,
    advanced: desired.spec.advanced as Spec,
    credentials: desired.spec.credentials as Record<string, string>,
  };
}

export type { IntegrationRecord };
