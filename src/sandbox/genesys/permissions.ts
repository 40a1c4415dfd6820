/**
 * Permissions are `domain:entity:action` strings, granted by roles through permission policies
 * (`{domain, entityName, actionSet}`); `*` in a policy's entity or action grants every one.
 */
export interface PermissionPolicy {
  domain: string;
  entityName: string;
  actionSet: string[];
}

/** What each route the sandbox serves asks for. */
export const PERMISSIONS = {
  oauthClientView: 'oauth:client:view',
  oauthClientAdd: 'oauth:client:add',
  oauthClientEdit: 'oauth:client:edit',
  oauthClientDelete: 'oauth:client:delete',
  roleView: 'authorization:role:view',
  roleAdd: 'authorization:role:add',
  roleEdit: 'authorization:role:edit',
  roleDelete: 'authorization:role:delete',
  grantAdd: 'authorization:grant:add',
  divisionView: 'authorization:division:view',
  userView: 'directory:user:view',
  groupView: 'directory:group:view',
  integrationView: 'integrations:integration:view',
  integrationAdd: 'integrations:integration:add',
  integrationEdit: 'integrations:integration:edit',
  integrationDelete: 'integrations:integration:delete',
  actionView: 'integrations:action:view',
  actionAdd: 'integrations:action:add',
  actionEdit: 'integrations:action:edit',
  actionDelete: 'integrations:action:delete',
  actionExecute: 'integrations:action:execute',
  flowView: 'architect:flow:view',
  flowAdd: 'architect:flow:add',
  flowEdit: 'architect:flow:edit',
  flowDelete: 'architect:flow:delete',
  flowPublish: 'architect:flow:publish',
  flowUnlock: 'architect:flow:unlock',
  jobCreate: 'architect:job:create',
  jobView: 'architect:job:view',
  queueView: 'routing:queue:view',
  queueEdit: 'routing:queue:edit',
  conversationView: 'conversation:communication:view',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

/** Every permission the kit needs; the seeded admin role holds exactly these. */
export const KIT_PERMISSIONS: readonly string[] = Object.values(PERMISSIONS);

/** The seeded `employee` role: basic directory reads, as the built-in role gives every user. */
export const EMPLOYEE_PERMISSIONS: readonly string[] = [
  PERMISSIONS.userView,
  PERMISSIONS.groupView,
  PERMISSIONS.divisionView,
];

export const PERMISSION_PART = /^(\*|[a-zA-Z][a-zA-Z0-9_-]*)$/;

/** Groups `domain:entity:action` strings into policies (one per domain and entity). */
export function policiesFromPermissions(permissions: readonly string[]): PermissionPolicy[] {
  const byKey = new Map<string, PermissionPolicy>();
  for (const p of permissions) {
    const [domain = '', entityName = '', action = ''] = p.split(':');
    const key = `${domain}:${entityName}`;
    let policy = byKey.get(key);
    if (!policy) {
      policy = { domain, entityName, actionSet: [] };
      byKey.set(key, policy);
    }
    if (!policy.actionSet.includes(action)) policy.actionSet.push(action);
  }
  return [...byKey.values()];
}

/** The flat `domain:entity:action` list of policies, as Genesys reports in `permissions`. */
export function permissionsOf(policies: readonly PermissionPolicy[]): string[] {
  const out = new Set<string>();
  for (const p of policies) for (const a of p.actionSet) out.add(`${p.domain}:${p.entityName}:${a}`);
  return [...out];
}

/** Whether a set of policies grants one permission. */
export function grants(policies: readonly PermissionPolicy[], permission: string): boolean {
  const [domain, entity, action] = permission.split(':');
  return policies.some(
    (p) =>
      (p.domain === domain || p.domain === '*') &&
      (p.entityName === entity || p.entityName === '*') &&
      p.actionSet.some((a) => a === action || a === '*'),
  );
}
