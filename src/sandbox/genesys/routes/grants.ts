import { GenesysApiError } from '../api-error.js';
import type { Principal } from '../http/context.js';
import type { OrgState } from '../state/model.js';

/**
 * A caller can give an OAuth client only roles it holds itself (what makes Terraform add roles to the
 * calling user before creating a client, §4.1). Refused with 403 naming the roles. User role grants
 * (`PUT /api/v2/users/{id}/roles`) are not checked this way: Terraform's workaround depends on that.
 */
export function assertCanGrant(state: OrgState, principal: Principal, roleIds: string[]): void {
  const held = new Set(principal.roles.map((r) => r.id));
  const missing = roleIds.filter((id) => !held.has(id));
  if (missing.length === 0) return;
  const names = missing.map((id) => state.roles.find((r) => r.id === id)?.name ?? id);
  throw new GenesysApiError(
    403,
    'not.authorized',
    `You cannot grant role(s) you do not hold: [${names.join(', ')}]`,
    { details: missing.map((id) => ({ errorCode: 'role.not.held', entityId: id })) },
  );
}
