import { Type, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../body.js';

/**
 * The integration types the sandbox installs, with their config schemas. Property names follow the
 * reference (premium-app wizard, Terraform); value rules not confirmed there are marked in
 * docs/genesys-sandbox.md.
 */
export interface CredentialSlot {
  required: boolean;
  title: string;
  credentialTypes: string[];
}

export interface IntegrationTypeSpec {
  id: string;
  name: string;
  description: string;
  provider: string;
  category: string;
  vendorName: string;
  maxInstances: number;
  credentials: Record<string, CredentialSlot>;
  properties: TSchema;
  advanced: TSchema;
  /** Properties an integration must have before it can become ACTIVE. */
  requiredToActivate: string[];
  /** Whether data actions can be defined on it. */
  dataActions: boolean;
}

/** Where a configured connection URI or app URL may point: https/wss anywhere, plain http/ws only on loopback. */
export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export const COMMUNICATION_TYPES = [
  'call',
  'callback',
  'chat',
  'email',
  'open',
  'social',
  'video',
  'webmessaging',
];

// Every property is optional on PUT (types are checked); `requiredToActivate` applies on enable.
const AudiohookProperties = Type.Partial(
  Type.Object(
    {
      channel: StringEnum(['both', 'external', 'internal'] as const, {
        description: 'Which side of the call is streamed.',
      }),
      connectionUri: Type.String({
        pattern: '^wss?://[^\\s/?#]+[^\\s]*$',
        description:
          'WebSocket URI audio is streamed to (wss://; ws:// only to a loopback host in the sandbox).',
      }),
    },
    { additionalProperties: false },
  ),
);

const WidgetProperties = Type.Partial(
  Type.Object(
    {
      url: Type.String({
        pattern: '^https?://[^\\s/?#]+[^\\s]*$',
        description:
          'App URL; Genesys fills {{gcConversationId}}, {{gcHostOrigin}}, {{gcTargetEnv}}, {{gcLangTag}}.',
      }),
      sandbox: Type.String({ description: 'iframe sandbox flags, comma separated.' }),
      permissions: Type.String({ description: 'iframe allow list, comma separated.' }),
      groups: Type.Array(Type.String({ minLength: 1 }), { description: 'Group ids that see the widget.' }),
      queueIdFilterList: Type.Array(Type.String({ minLength: 1 }), {
        description: 'Queue ids the widget shows for; empty = all.',
      }),
      communicationTypeFilter: Type.String({ description: 'Media types, comma separated, e.g. call.' }),
    },
    { additionalProperties: false },
  ),
);

const WidgetAdvanced = Type.Object(
  {
    lifecycle: Type.Optional(
      Type.Object(
        {
          ephemeral: Type.Optional(Type.Boolean()),
          hooks: Type.Optional(
            Type.Object(
              {
                bootstrap: Type.Optional(Type.Boolean()),
                focus: Type.Optional(Type.Boolean()),
                blur: Type.Optional(Type.Boolean()),
                stop: Type.Optional(Type.Boolean()),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    icon: Type.Optional(Type.Record(Type.String(), Type.String())),
    monochromicIcon: Type.Optional(Type.Record(Type.String(), Type.String())),
    i10n: Type.Optional(
      Type.Record(Type.String(), Type.Object({ name: Type.String() }, { additionalProperties: false })),
    ),
  },
  { additionalProperties: false },
);

const FreeObject = Type.Object({}, { additionalProperties: true });

const RestActionsProperties = Type.Object(
  { clientCertificateAuthority: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export function integrationCatalog(limits: Record<string, number> = {}): IntegrationTypeSpec[] {
  const max = (id: string, fallback: number) => limits[id] ?? fallback;
  return [
    {
      id: 'audiohook',
      name: 'AudioHook Monitor',
      description: 'Streams call audio to a third-party endpoint over the AudioHook protocol.',
      provider: 'genesys',
      category: 'Audio',
      vendorName: 'Genesys',
      maxInstances: max('audiohook', 5),
      credentials: {
        audioHook: { required: true, title: 'AudioHook credentials', credentialTypes: ['audioHook'] },
      },
      properties: AudiohookProperties,
      advanced: FreeObject,
      requiredToActivate: ['channel', 'connectionUri'],
      dataActions: false,
    },
    {
      id: 'embedded-client-app-interaction-widget',
      name: 'Interaction Widget',
      description: 'Shows a web app next to an interaction in the agent UI.',
      provider: 'clientapps',
      category: 'Client Apps',
      vendorName: 'Genesys',
      maxInstances: max('embedded-client-app-interaction-widget', 100),
      credentials: {},
      properties: WidgetProperties,
      advanced: WidgetAdvanced,
      requiredToActivate: ['url'],
      dataActions: false,
    },
    {
      id: 'custom-rest-actions',
      name: 'Web Services Data Actions',
      description: 'Calls web services from Architect flows and scripts.',
      provider: 'genesys',
      category: 'Data Actions',
      vendorName: 'Genesys',
      maxInstances: max('custom-rest-actions', 100),
      credentials: {
        basicAuth: {
          required: false,
          title: 'Credentials',
          credentialTypes: ['basicAuth', 'userDefined', 'userDefinedOAuth'],
        },
      },
      properties: RestActionsProperties,
      advanced: FreeObject,
      requiredToActivate: [],
      dataActions: true,
    },
  ];
}

/** The JSON Schema document `GET …/configschemas/{properties|advanced}` answers. */
export function configSchemaDocument(spec: IntegrationTypeSpec, kind: 'properties' | 'advanced') {
  const schema = JSON.parse(
    JSON.stringify(kind === 'properties' ? spec.properties : spec.advanced),
  ) as Record<string, unknown>;
  return {
    id: `${spec.id}-${kind}`,
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: `${spec.name} ${kind}`,
    ...schema,
    ...(kind === 'properties' && spec.requiredToActivate.length > 0
      ? { required: spec.requiredToActivate }
      : {}),
  };
}

export function integrationTypeView(spec: IntegrationTypeSpec) {
  return {
    id: spec.id,
    name: spec.name,
    description: spec.description,
    provider: spec.provider,
    category: spec.category,
    images: [],
    configPropertiesSchemaUri: `/api/v2/integrations/types/${spec.id}/configschemas/properties`,
    configAdvancedSchemaUri: `/api/v2/integrations/types/${spec.id}/configschemas/advanced`,
    vendorName: spec.vendorName,
    credentials: spec.credentials,
    nonInstallable: false,
    maxInstances: spec.maxInstances,
    userPermissions: [],
    selfUri: `/api/v2/integrations/types/${spec.id}`,
  };
}
