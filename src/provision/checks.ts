import type { Plan } from '../genesys/engine/engine.js';
import {
  INTEGRATION_KIND,
  INTEGRATION_TYPES,
  listIntegrations,
  maxInstances,
  names,
  OAUTH_CLIENT_KIND,
  ROLE_KIND,
} from '../genesys/resources/index.js';
import { idsForNames } from '../genesys/resources/shared/lookups.js';
import type { Deployment } from './deployment.js';
import { genesysOf } from '../config/platform.js';

/** Something the org lacks for a plan to apply: said by `plan`, refused by `provision` before any write. */
export interface Blocker {
  code: string;
  message: string;
  hint: string;
}

/** Queue and group names of the config the org does not have. */
export async function missingNames(d: Deployment): Promise<Blocker[]> {
  const out: Blocker[] = [];
  const { widget } = d.config;
  if (widget.queues.length > 0) {
    const { missing } = idsForNames(await d.org.lookups.queues(), widget.queues);
    if (missing.length > 0) {
      out.push({
        code: 'provision.unknown_queue',
        message: `widget.queues names queues the org does not have: ${missing.map((m) => `"${m}"`).join(', ')}`,
        hint: 'create them in Genesys Cloud or fix widget.queues',
      });
    }
  }
  if (widget.groups.length > 0) {
    const { missing } = idsForNames(await d.org.lookups.groups(), widget.groups);
    if (missing.length > 0) {
      out.push({
        code: 'provision.unknown_group',
        message: `widget.groups names groups the org does not have: ${missing.map((m) => `"${m}"`).join(', ')}`,
        hint: 'create them in Genesys Cloud or fix widget.groups',
      });
    }
  }
  return out;
}

/** Room for one more Audiohook integration when the plan creates one (the org limit is small). */
export async function audiohookCapacity(d: Deployment, plan: Plan): Promise<Blocker[]> {
  const creating = plan.steps.some(
    (s) =>
      s.action === 'create' &&
      s.kind === INTEGRATION_KIND &&
      s.desired?.spec.type === INTEGRATION_TYPES.audiohook,
  );
  if (!creating) return [];
  const max = await maxInstances(d.org, INTEGRATION_TYPES.audiohook);
  const existing = (await listIntegrations(d.org)).filter((i) => i.typeId === INTEGRATION_TYPES.audiohook);
  if (max === undefined || existing.length < max) return [];
  return [
    {
      code: 'provision.audiohook_capacity',
      message: `the org already has ${existing.length} Audiohook integrations, its limit (${max}): ${existing.map((i) => `"${i.name}"`).join(', ')}`,
      hint: 'delete an Audiohook integration you no longer use, or ask Genesys to raise the limit',
    },
  ];
}

/** Whether the provisioning client will be refused the kit role on the client it creates (and the way out). */
export async function roleNotHeld(d: Deployment, plan: Plan): Promise<Blocker[]> {
  const n = names(d.config);
  const client = plan.steps.find((s) => s.kind === OAUTH_CLIENT_KIND && s.name === n.backendClient);
  if (!client || (client.action !== 'create' && client.action !== 'update')) return [];
  const me = await d.org.lookups.identity();
  if (me.grantType !== 'CLIENT-CREDENTIALS') return [];
  const roleStep = plan.steps.find((s) => s.kind === ROLE_KIND && s.name === n.role);
  const roleId = roleStep?.id;
  if (roleId && me.roleIds.includes(roleId)) return [];
  return [
    {
      code: 'provision.role_not_held',
      message:
        `Genesys lets an OAuth client give another client only roles it holds: the provisioning client ${genesysOf(d.config).clientId} ` +
        `does not hold "${n.role}"${roleId ? '' : ' (created by this run)'}, so creating "${n.backendClient}" will stop the run`,
      hint: `add "${n.role}" to client ${genesysOf(d.config).clientId} in Admin > OAuth > Roles (Home division)${roleId ? '' : ' once provision has created it'}, then run provision again`,
    },
  ];
}
