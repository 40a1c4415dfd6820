import { SANDBOX } from '../../../config/defaults.js';
import { isoAt } from '../clock.js';
import { hashSecret, newSecret, stableId } from '../ids.js';
import { EMPLOYEE_PERMISSIONS, KIT_PERMISSIONS, policiesFromPermissions } from '../permissions.js';
import type { OrgState, QueueRecord, UserRecord } from './model.js';

export interface SeedOptions {
  organizationId: string;
  adminClientId: string;
  adminClientSecret: string;
  now: number;
}

export const SEED_NAMES = {
  organization: 'Sandbox Org',
  homeDivision: 'Home',
  adminRole: 'Sandbox Admin',
  employeeRole: 'employee',
  adminClient: 'Sandbox Admin Client',
  queues: ['Support', 'Sales'],
  group: 'Sandbox Agents',
} as const;

export interface SeedAgent {
  key: string;
  name: string;
  email: string;
}

/**
 * The one password of every seeded user on the org's sign-in page. Shown on that page and in
 * `sandbox --json`: it protects nothing (the org listens on 127.0.0.1 and holds test data only).
 */
export const SANDBOX_AGENT_PASSWORD = 'sandbox-agent-password';

export const SEED_AGENTS: readonly SeedAgent[] = [
  { key: 'agent', name: 'Sandbox Agent', email: 'agent@sandbox.example' },
  { key: 'agent2', name: 'Second Agent', email: 'agent2@sandbox.example' },
];

/** A fresh org: Home division, employee and admin roles, the admin client, two queues, agents, a group. */
export function seedState(o: SeedOptions = defaultSeedOptions(Date.now())): OrgState {
  const at = isoAt(o.now);
  const id = (name: string) => stableId(o.organizationId, name);
  const home = id('division/home');
  const employee = id('role/employee');
  const admin = id('role/admin');
  const salt = newSecret(12);
  const users: UserRecord[] = SEED_AGENTS.map((a) => ({
    id: id(`user/${a.key}`),
    name: a.name,
    email: a.email,
    username: a.email,
    title: 'Agent',
    divisionId: home,
    roleIds: [employee],
    version: 1,
  }));
  const queues: QueueRecord[] = SEED_NAMES.queues.map((name) => ({
    id: id(`queue/${name}`),
    name,
    description: `${name} queue of the sandbox org`,
    divisionId: home,
    enableAudioMonitoring: false,
    enableTranscription: false,
    enableManualAssignment: false,
    autoAnswerOnly: false,
    skillEvaluationMethod: 'ALL',
    acwSettings: { wrapupPrompt: 'OPTIONAL' },
    mediaSettings: {
      call: { alertingTimeoutSeconds: 8, serviceLevel: { percentage: 0.8, durationMs: 20000 } },
    },
    memberIds: users.map((u) => u.id),
    dateCreated: at,
    dateModified: at,
    createdBy: o.adminClientId,
    modifiedBy: o.adminClientId,
  }));
  return {
    version: 1,
    organization: {
      id: o.organizationId,
      name: SEED_NAMES.organization,
      domain: 'sandbox',
      defaultLanguage: 'en-us',
      defaultCountryCode: 'ES',
      thirdPartyOrgName: 'sandbox',
      version: 1,
    },
    divisions: [
      { id: home, name: SEED_NAMES.homeDivision, description: 'Home Division', homeDivision: true },
    ],
    roles: [
      {
        id: employee,
        name: SEED_NAMES.employeeRole,
        description: 'Default role for every user',
        default: true,
        permissionPolicies: policiesFromPermissions(EMPLOYEE_PERMISSIONS),
        dateCreated: at,
        dateModified: at,
      },
      {
        id: admin,
        name: SEED_NAMES.adminRole,
        description: 'Every permission the kit needs',
        default: false,
        permissionPolicies: policiesFromPermissions(KIT_PERMISSIONS),
        dateCreated: at,
        dateModified: at,
      },
    ],
    users,
    groups: [
      {
        id: id('group/agents'),
        name: SEED_NAMES.group,
        description: 'The agents of the sandbox org',
        memberIds: users.map((u) => u.id),
        dateModified: at,
        version: 1,
      },
    ],
    queues,
    oauthClients: [
      {
        id: o.adminClientId,
        name: SEED_NAMES.adminClient,
        description: 'Client-credentials client of the sandbox admin',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        accessTokenValiditySeconds: 86400,
        registeredRedirectUri: [],
        scope: [],
        roleDivisions: [
          { roleId: admin, divisionId: home },
          { roleId: employee, divisionId: home },
        ],
        state: 'active',
        secretHash: hashSecret(o.adminClientSecret, salt),
        secretSalt: salt,
        dateCreated: at,
        dateModified: at,
      },
    ],
    tokens: [],
    credentials: [],
    integrations: [],
    actions: [],
    flows: [],
    flowJobs: [],
    conversations: [],
  };
}

export function defaultSeedOptions(now: number): SeedOptions {
  return {
    organizationId: SANDBOX.genesys.organizationId,
    adminClientId: SANDBOX.genesys.clientId,
    adminClientSecret: SANDBOX.genesys.clientSecret,
    now,
  };
}
