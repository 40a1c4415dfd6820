import { createHash } from 'node:crypto';
import type { KitConfig } from '../../../config/schema.js';
import { renderFlows } from '../../../flows/render.js';
import { ownerFromText, ownershipMarker } from '../../engine/ownership.js';
import type { ActualObject, DesiredObject, ResourceKind } from '../../engine/resource.js';
import { DATA_ACTION_KIND } from '../data-action/kind.js';
import { inNamespace } from '../names.js';
import type { OnProgress } from '../../../progress.js';
import type { GenesysOrg } from '../shared/org.js';
import { deleteFlow, listFlows, publishFlowYaml } from './api.js';

export const FLOW_KIND = 'flow';

/** API flow types the kit publishes. */
const TYPES = ['commonmodule', 'inboundcall'];

/** The content hash is written into each flow's description, so a plan sees what is published. */
const HASH = /\[content ([0-9a-f]{12})\]/;

export function contentHash(yaml: string): string {
  return createHash('sha256').update(yaml).digest('hex').slice(0, 12);
}

/**
 * The kit's Architect flows: the Register and Verify common modules, then the example inbound flow
 * that calls them (modules first: a flow is checked against the modules published when it is).
 * Published through the Architect job route; owned through the marker in their description, which
 * also carries the hash of the rendered YAML so a changed template or config shows in `plan`.
 * The YAML itself holds the marker, so the hash is of the text before the marker is added.
 */
export const flowKind: ResourceKind<KitConfig, GenesysOrg> = {
  kind: FLOW_KIND,
  dependsOn: [DATA_ACTION_KIND],

  desired(config): DesiredObject[] {
    if (!config.flows.publish) return [];
    return renderFlows(config).flows.map((f) => ({
      kind: FLOW_KIND,
      name: f.name,
      spec: {
        type: f.flowKey === 'commonModule' ? 'commonmodule' : 'inboundcall',
        contentHash: contentHash(f.text),
        yaml: f.text,
      },
    }));
  },

  /** The YAML is what gets published; only its hash (and the type) is compared with the org. */
  compare(desired, actual) {
    const changes = [];
    for (const key of ['type', 'contentHash'] as const) {
      if (desired[key] !== actual.spec[key])
        changes.push({ path: key, from: actual.spec[key], to: desired[key] });
    }
    return changes;
  },

  async read(ctx, prefix): Promise<ActualObject[]> {
    const recorded = new Map(ctx.recorded(FLOW_KIND).map((r) => [r.id, r.outputs]));
    const flows = (await listFlows(ctx.org, TYPES)).filter((f) => inNamespace(f.name, prefix));
    // Flows that call modules are removed before the modules (Architect refuses the other order).
    flows.sort((a, b) => (a.type === 'commonmodule' ? 1 : 0) - (b.type === 'commonmodule' ? 1 : 0));
    return flows.map((f) => {
      const published = recorded.get(f.id)?.publishedVersion;
      // A version published by someone else (Architect, Archy) is drift even when the description kept the hash.
      const edited = published !== undefined && f.publishedVersion !== '' && published !== f.publishedVersion;
      return {
        kind: FLOW_KIND,
        name: f.name,
        id: f.id,
        spec: {
          type: f.type,
          contentHash: edited
            ? `published outside the kit (version ${f.publishedVersion})`
            : (HASH.exec(f.description)?.[1] ?? '(none)'),
        },
        owner: ownerFromText(f.description),
      };
    });
  },

  async create(ctx, desired) {
    return publish(ctx.org, desired, ctx.deploymentId, ctx.progress);
  },

  async update(ctx, desired) {
    // Publishing the same type and name again makes a new version of the same flow.
    return publish(ctx.org, desired, ctx.deploymentId, ctx.progress);
  },

  async remove(ctx, actual) {
    await deleteFlow(ctx.org, actual.id);
  },
};

/** The YAML with the ownership marker and the content hash appended to the flow's description. */
export function markedYaml(yaml: string, deploymentId: string): string {
  const mark = `${ownershipMarker(deploymentId)} [content ${contentHash(yaml)}]`;
  return yaml.replace(/^( {2}description: )(".*")$/m, (_all, key: string, quoted: string) => {
    const text = JSON.parse(quoted) as string;
    return `${key}${JSON.stringify(text ? `${text} ${mark}` : mark)}`;
  });
}

async function publish(
  org: GenesysOrg,
  desired: DesiredObject,
  deploymentId: string,
  onProgress?: OnProgress,
) {
  const yaml = markedYaml(desired.spec.yaml as string, deploymentId);
  const id = await publishFlowYaml(org, desired.name, yaml, onProgress ? { onProgress } : {});
  const [after] = (await listFlows(org, TYPES)).filter((f) => f.id === id);
  return { id, outputs: { publishedVersion: after?.publishedVersion ?? '' } };
}
