import type { PermissionPolicy } from '../permissions.js';

/**
 * The records of one sandbox org. They are the sandbox's own shapes (what it needs to answer like
 * Genesys), not the API's; routes turn them into API entities.
 */
export interface OrganizationRecord {
  id: string;
  name: string;
  domain: string;
  defaultLanguage: string;
  defaultCountryCode: string;
  thirdPartyOrgName: string;
  version: number;
}

export interface DivisionRecord {
  id: string;
  name: string;
  description: string;
  homeDivision: boolean;
}

export interface RoleRecord {
  id: string;
  name: string;
  description: string;
  /** Built-in roles (`employee`) cannot be deleted. */
  default: boolean;
  permissionPolicies: PermissionPolicy[];
  dateCreated: string;
  dateModified: string;
}

export interface UserRecord {
  id: string;
  name: string;
  email: string;
  username: string;
  title: string;
  divisionId: string;
  roleIds: string[];
  version: number;
}

export interface GroupRecord {
  id: string;
  name: string;
  description: string;
  memberIds: string[];
  dateModified: string;
  version: number;
}

export interface QueueRecord {
  id: string;
  name: string;
  description: string;
  divisionId: string;
  enableAudioMonitoring: boolean;
  enableTranscription: boolean;
  enableManualAssignment: boolean;
  autoAnswerOnly: boolean;
  skillEvaluationMethod: string;
  callingPartyName?: string;
  callingPartyNumber?: string;
  defaultMediaLanguage?: string;
  acwSettings: { wrapupPrompt: string; timeoutMs?: number };
  mediaSettings: Record<string, unknown>;
  memberIds: string[];
  dateCreated: string;
  dateModified: string;
  createdBy: string;
  modifiedBy: string;
}

export interface RoleDivision {
  roleId: string;
  divisionId: string;
}

export interface OAuthClientRecord {
  id: string;
  name: string;
  description: string;
  authorizedGrantType: string;
  accessTokenValiditySeconds: number;
  registeredRedirectUri: string[];
  scope: string[];
  roleDivisions: RoleDivision[];
  state: string;
  dateToDelete?: string;
  /** sha-256 of salt + secret; the secret itself is shown once and never stored. */
  secretHash: string;
  secretSalt: string;
  dateCreated: string;
  dateModified: string;
  createdBy?: string;
  modifiedBy?: string;
}

export interface TokenRecord {
  /** sha-256 of the bearer token; the token itself is never stored. */
  hash: string;
  clientId: string;
  /** Set for user tokens (implicit grant). */
  userId?: string;
  issuedAt: number;
  expiresAt: number;
}

export interface CredentialRecord {
  id: string;
  name: string;
  typeName: string;
  /** Kept in clear because calls sign with them and data actions use them; never returned by the API. */
  fields: Record<string, string>;
  createdDate: string;
  modifiedDate: string;
}

export interface IntegrationConfigRecord {
  name: string;
  version: number;
  properties: Record<string, unknown>;
  advanced: Record<string, unknown>;
  notes: string;
  credentials: Record<string, { id: string }>;
}

export interface IntegrationRecord {
  id: string;
  integrationTypeId: string;
  intendedState: 'ENABLED' | 'DISABLED';
  attributes: Record<string, string>;
  config: IntegrationConfigRecord;
  reportedState: { code: 'ACTIVE' | 'INACTIVE' | 'ERROR'; message?: string; lastUpdated: string };
  dateCreated: string;
}

/** A data action's contract: what Architect sees as inputs and outputs. */
export interface ActionContract {
  input: { inputSchema: Record<string, unknown> };
  output: { successSchema: Record<string, unknown> };
}

export interface ActionBody {
  name: string;
  category: string;
  secure: boolean;
  config?: Record<string, unknown>;
  contract?: ActionContract;
}

export interface ActionRecord {
  id: string;
  integrationId: string;
  /** The integration's custom authentication action (`customAuth_-_<integrationId>`). */
  authAction: boolean;
  published?: ActionBody & { version: number; config: Record<string, unknown>; contract: ActionContract };
  draft?: ActionBody & { version: number };
  dateCreated: string;
}

export interface FlowRecord {
  id: string;
  name: string;
  description: string;
  /** API type, lower case (`inboundcall`, `commonmodule`, …). */
  type: string;
  divisionId: string;
  publishedVersion: number;
  /** The Archy YAML of the published version, as uploaded. */
  yaml: string;
  datePublished: string;
  dateCreated: string;
  /** Audio Monitoring action found in the flow (`audioMonitoring.enableMonitoring`), when any. */
  audioMonitoring?: boolean;
  /** Common module variables callers may set and read. */
  inputs: string[];
  outputs: string[];
}

export interface FlowJobMessage {
  dateTime: string;
  type: 'ERROR' | 'WARNING' | 'INFO';
  text: string;
}

export interface FlowJobRecord {
  id: string;
  status: 'Registered' | 'Started' | 'Success' | 'Failure';
  command: string;
  dateCreated: number;
  uploadExpiresAt: number;
  uploadSignature: string;
  headers: Record<string, string>;
  /** Polls of a started job still answered `Started` before the outcome is applied. */
  pollsLeft: number;
  flowId?: string;
  messages: FlowJobMessage[];
  /** The uploaded YAML, kept until the job finishes. */
  yaml?: string;
}

export interface ParticipantRecord {
  id: string;
  purpose: 'customer' | 'agent' | 'ivr' | 'acd';
  name?: string;
  userId?: string;
  queueId?: string;
  ani?: string;
  dnis?: string;
  address?: string;
  startTime: string;
  endTime?: string;
  state: 'connected' | 'disconnected';
  /** Participant data (string values), e.g. what an IVR flow set on the customer. */
  attributes?: Record<string, string>;
}

export interface ConversationRecord {
  id: string;
  startTime: string;
  endTime?: string;
  queueId?: string;
  flowId?: string;
  participants: ParticipantRecord[];
}

export interface OrgState {
  version: 1;
  organization: OrganizationRecord;
  divisions: DivisionRecord[];
  roles: RoleRecord[];
  users: UserRecord[];
  groups: GroupRecord[];
  queues: QueueRecord[];
  oauthClients: OAuthClientRecord[];
  tokens: TokenRecord[];
  credentials: CredentialRecord[];
  integrations: IntegrationRecord[];
  actions: ActionRecord[];
  flows: FlowRecord[];
  flowJobs: FlowJobRecord[];
  conversations: ConversationRecord[];
}
