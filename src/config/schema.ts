import { Type, type Static, type TSchema, type ObjectOptions } from '@sinclair/typebox';

/**
 * The kit configuration: one schema, one type. Defaults live here (ajv applies them), descriptions
 * feed docs/configuration.md and the comments `daspeak-genesys init` writes.
 *
 * Custom annotations (registered with ajv as vocabulary, ignored by validation):
 * - `x-secret`: the value is a secret: masked in output, redacted in logs, `${env:NAME}` recommended.
 * - `x-hint`:   how to fix a value that fails `pattern`/`format`.
 * - `x-env`:    the environment variable `init` refers to for this secret.
 */

/** A closed set of values as one `enum` (clearer errors than a union of literals). */
const oneOf = <const T extends readonly (string | number)[]>(
  values: T,
  options: Record<string, unknown> = {},
) =>
  Type.Unsafe<T[number]>({
    type: typeof values[0] === 'number' ? 'integer' : 'string',
    enum: [...values],
    ...options,
  });

const obj = <T extends Parameters<typeof Type.Object>[0]>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

const secret = (description: string, env: string, extra: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, description, 'x-secret': true, 'x-env': env, ...extra });

const url = (description: string, protocols: string[], extra: Record<string, unknown> = {}) =>
  Type.String({
    description,
    pattern: `^(${protocols.join('|')})://[^\\s/?#]+[^\\s]*$`,
    'x-hint': `write a full URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    ...extra,
  });

/** Genesys Cloud regions (PureCloudRegionHosts of the Platform SDK). */
export const GENESYS_REGIONS = [
  'mypurecloud.com',
  'mypurecloud.ie',
  'mypurecloud.com.au',
  'mypurecloud.jp',
  'mypurecloud.de',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'apne2.pure.cloud',
  'euw2.pure.cloud',
  'aps1.pure.cloud',
  'use2.us-gov-pure.cloud',
  'sae1.pure.cloud',
  'mec1.pure.cloud',
  'apne3.pure.cloud',
  'euc2.pure.cloud',
  'mxc1.pure.cloud',
  'apse1.pure.cloud',
  'edee1.eusc-pure.cloud',
] as const;

const LANGUAGE = Type.String({
  pattern: '^[a-z]{2,3}-[a-z]{2,3}$',
  'x-hint': 'write an Architect language tag in lower case, such as en-us or es-es',
});

export const PromptsSchema = obj(
  {
    welcome: Type.String({ minLength: 1, description: 'Played when the flow starts.' }),
    consent: Type.String({
      minLength: 1,
      description: 'Asks the caller to agree to voice registration before a register session.',
    }),
    registerStart: Type.String({ minLength: 1, description: 'Asks the caller to speak to register.' }),
    registered: Type.String({ minLength: 1, description: 'Played after a successful registration.' }),
    registerFailed: Type.String({ minLength: 1, description: 'Played when registration did not succeed.' }),
    verifyStart: Type.String({ minLength: 1, description: 'Asks the caller to speak to be verified.' }),
    verified: Type.String({ minLength: 1, description: 'Played when the voice matched.' }),
    notVerified: Type.String({ minLength: 1, description: 'Played when the voice did not match.' }),
    spoof: Type.String({ minLength: 1, description: 'Played when the audio looked pre-recorded.' }),
    error: Type.String({ minLength: 1, description: 'Played when the service could not be reached.' }),
    noConsent: Type.String({
      minLength: 1,
      description: 'Played when the caller did not agree to voice registration.',
    }),
    transfer: Type.String({
      minLength: 1,
      description: 'Played before the call is transferred to the queue.',
    }),
  },
  { description: 'Text-to-speech prompts of one language.' },
);
export type Prompts = Static<typeof PromptsSchema>;

export const GenesysSchema = obj(
  {
    region: Type.Optional(
      oneOf(GENESYS_REGIONS, {
        description: 'Genesys Cloud region host, such as mypurecloud.ie. Give region or baseUrl.',
      }),
    ),
    baseUrl: Type.Optional(
      url('Base URL of a Genesys Cloud API gateway, for a local sandbox org. Give region or baseUrl.', [
        'http',
        'https',
      ]),
    ),
    clientId: Type.String({
      minLength: 1,
      description: 'Client-credentials OAuth client the CLI uses to provision and check the org.',
    }),
    clientSecret: secret('Secret of that OAuth client.', 'GENESYS_CLIENT_SECRET'),
    organizationId: Type.Optional(
      Type.String({
        pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
        description:
          'Organization the backend accepts agent tokens from. When absent, the org of the client above is used.',
        'x-hint': 'write the organization id as a UUID',
      }),
    ),
  },
  { description: 'The Genesys Cloud organization (with platform: genesys, the default).' },
);

/** A Twilio SID: two capital letters naming its kind, then 32 hexadecimal digits. */
const sid = (prefix: string, description: string, hint: string) =>
  Type.String({ pattern: `^${prefix}[0-9a-fA-F]{32}$`, description, 'x-hint': hint });

export const TwilioSchema = obj(
  {
    accountSid: sid(
      'AC',
      'Account SID of the Twilio account (or subaccount) that receives the calls.',
      'write the Account SID from the Twilio Console (Account info): AC followed by 32 hexadecimal digits; an API key SID (SK…) is not an account SID',
    ),
    authToken: secret(
      'Auth token of that account: the kit authenticates its REST calls (HTTP Basic) and the Flex token check with it.',
      'TWILIO_AUTH_TOKEN',
    ),
    workspaceSid: sid(
      'WS',
      "SID of Flex's TaskRouter workspace; the backend reads a worker's accepted reservations there to know which call an agent is on.",
      'write the Workspace SID (Twilio Console → TaskRouter → Workspaces, "Flex Task Assignment"): WS followed by 32 hexadecimal digits',
    ),
    apiBaseUrl: Type.Optional(
      url(
        'One origin that replaces every Twilio API host (api., iam., taskrouter.twilio.com), such as the local stand-in http://127.0.0.1:4030. Absent = the real Twilio.',
        ['http', 'https'],
      ),
    ),
    mediaStreamUrl: Type.Optional(
      url(
        "das-Peak's Twilio Media Streams consumer (wss://…), the url of the TwiML's Stream. Default: the das-Peak Socket.IO origin with the ws(s) scheme and the path /twilio/ws.",
        ['ws', 'wss'],
      ),
    ),
  },
  { description: 'The Twilio account (with platform: twilio): calls, Media Streams and Flex.' },
);

export const DaspeakSchema = obj(
  {
    rest: obj(
      {
        baseUrl: url(
          'Base URL of the das-Peak Streaming REST channel, such as https://api.eu.veri-das.com/dpsrest.',
          ['http', 'https'],
        ),
        apiKey: secret('API key sent in the `apikey` header of every REST request.', 'DASPEAK_API_KEY'),
      },
      { description: 'REST signalling channel (used by the IVR flows through data actions).' },
    ),
    socketio: obj(
      {
        url: url('Origin of the Socket.IO signalling service, such as https://api.eu.veri-das.com.', [
          'http',
          'https',
        ]),
        path: Type.String({
          default: '/socket.io',
          pattern: '^/',
          description: 'Engine.IO path of the Socket.IO server.',
          'x-hint': 'start the path with /',
        }),
        registerNamespace: Type.String({
          default: '/socket.io/register',
          pattern: '^/',
          description: 'Namespace of the register channel.',
          'x-hint': 'start the namespace with /',
        }),
        verifyNamespace: Type.String({
          default: '/socket.io/verify',
          pattern: '^/',
          description: 'Namespace of the verify channel.',
          'x-hint': 'start the namespace with /',
        }),
        tokenTransport: oneOf(['auth', 'query', 'header'] as const, {
          default: 'auth',
          description:
            'How the access token is presented on connect: the Socket.IO auth payload, the access_token query parameter, or an Authorization header (Node clients only).',
        }),
      },
      { description: 'Socket.IO signalling channel (used by the agent widget).' },
    ),
    auth: obj(
      {
        tokenUrl: url('OAuth2 token endpoint of the das-Peak authentication server.', ['http', 'https']),
        clientId: Type.String({ minLength: 1, description: 'Client id for the client-credentials grant.' }),
        clientSecret: secret(
          'Client secret for the client-credentials grant. Only the backend holds it.',
          'DASPEAK_CLIENT_SECRET',
        ),
      },
      { description: 'Authentication server that issues Socket.IO access tokens.' },
    ),
    audiohook: Type.Optional(
      obj(
        {
          connectionUri: url("das-Peak's Audiohook audio channel, the connectionUri Genesys streams to.", [
            'ws',
            'wss',
          ]),
          apiKey: Type.String({
            pattern: '^[a-zA-Z0-9+/_-]+={0,2}$',
            description: 'API key Genesys sends in X-API-KEY (and as the signature keyid).',
            'x-secret': true,
            'x-env': 'DASPEAK_AUDIOHOOK_API_KEY',
            'x-hint': 'use letters, digits and + / _ - only',
          }),
          clientSecret: secret(
            'Base64 client secret Genesys signs each Audiohook connection with (HMAC-SHA256).',
            'DASPEAK_AUDIOHOOK_CLIENT_SECRET',
          ),
        },
        {
          description:
            'Audiohook audio channel the Genesys integration streams call audio to. Required with platform: genesys; a Twilio config has none (Twilio streams through Media Streams, twilio.mediaStreamUrl).',
        },
      ),
    ),
    modelHash: Type.String({ minLength: 1, description: 'Hash of the biometric model das-Peak should use.' }),
    authenticityThreshold: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.8,
      description: 'Anti-spoofing threshold; below it the result is a spoof failure.',
    }),
    verificationThreshold: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'Score threshold for a verification; below it the result is a score failure.',
    }),
    audioTotalDuration: obj(
      {
        register: Type.Number({
          minimum: 1,
          maximum: 60,
          default: 5,
          description: 'Seconds of net speech collected to register a voice.',
        }),
        verify: Type.Number({
          minimum: 1,
          maximum: 60,
          default: 3,
          description: 'Seconds of net speech collected to verify a voice.',
        }),
      },
      { default: {}, description: 'Net speech (after voice activity detection) each operation waits for.' },
    ),
    audio: obj(
      {
        format: oneOf(['raw'] as const, { default: 'raw', description: 'audio_format sent to das-Peak.' }),
        codec: oneOf(['mulaw', 'pcm'] as const, {
          default: 'mulaw',
          description: 'audio_codec sent to das-Peak: mulaw (PCMU) or pcm (L16).',
        }),
        sampleFormat: Type.String({
          default: '',
          description: 'sample_format sent to das-Peak (empty for mulaw).',
        }),
        sampleRate: oneOf([8000] as const, {
          default: 8000,
          description: 'Sample rate in Hz (Audiohook sends 8000).',
        }),
        channels: oneOf([1, 2] as const, {
          default: 1,
          description: 'Channels das-Peak receives; 1 = the caller only.',
        }),
      },
      { default: {}, description: 'Audio settings declared to das-Peak.' },
    ),
    timeouts: obj(
      {
        sessionSeconds: Type.Number({
          minimum: 5,
          maximum: 600,
          default: 90,
          description: 'Overall deadline of a register or verify session.',
        }),
        pollIntervalMs: Type.Integer({
          minimum: 100,
          maximum: 10000,
          default: 1000,
          description: 'Interval between REST status polls.',
        }),
      },
      { default: {}, description: 'Deadlines of the kit as a das-Peak client.' },
    ),
  },
  { description: 'Veridas das-Peak Streaming.' },
);

export const EncryptionKeySchema = obj({
  id: Type.String({
    pattern: '^[A-Za-z0-9_-]{1,32}$',
    description: 'Key id stored with each encrypted row.',
    'x-hint': 'use 1 to 32 letters, digits, _ or -',
  }),
  key: secret('Base64 of 32 random bytes (AES-256-GCM key).', 'DASPEAK_STORE_KEY', {
    pattern: '^[A-Za-z0-9+/]{43}=$',
    'x-hint': 'generate one with: openssl rand -base64 32',
  }),
});

export const BackendSchema = obj(
  {
    publicUrl: url('URL at which agents and Genesys reach the backend (the widget is served below it).', [
      'http',
      'https',
    ]),
    listen: obj(
      {
        host: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Address to listen on.' }),
        port: Type.Integer({
          minimum: 0,
          maximum: 65535,
          default: 8080,
          description: 'TCP port (0 = any free port).',
        }),
      },
      { default: {}, description: 'Where `daspeak-genesys serve` listens.' },
    ),
    databaseUrl: Type.String({
      default: 'sqlite:./daspeak-genesys.db',
      pattern: '^(sqlite:.+|postgres(ql)?://.+)$',
      description: 'sqlite:<file path> (default) or postgres://user@host:port/db.',
      'x-hint': 'write sqlite:./file.db or postgres://user@host:5432/db',
    }),
    encryptionKeys: Type.Array(EncryptionKeySchema, {
      minItems: 1,
      description: 'Credential encryption keys. The first encrypts new rows; all of them decrypt (rotation).',
    }),
    apiKeys: Type.Array(
      Type.String({
        minLength: 24,
        description: 'An API key data actions send to the backend.',
        'x-secret': true,
        'x-env': 'DASPEAK_BACKEND_API_KEY',
        'x-hint': 'use at least 24 characters, for example: openssl rand -hex 24',
      }),
      {
        minItems: 1,
        maxItems: 2,
        description: 'API keys data actions use; two during a rotation, the first is provisioned.',
      },
    ),
    allowedOrigins: Type.Array(url('An origin allowed to call and frame the backend.', ['http', 'https']), {
      default: [],
      description:
        "Extra origins that may call the backend from a browser (CORS) and frame the widget; the Genesys apps origin of the region and the backend's own are always allowed.",
    }),
    requireConsent: Type.Boolean({
      default: false,
      description:
        'Refuse to store a credential for a caller without recorded consent (409 store.consent_required). Turn it on where the law requires explicit consent for biometric data; the IVR flows and the widget record consent first.',
    }),
    defaultCountry: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{2}$',
        description: 'ISO 3166 country used to normalise national caller numbers to E.164.',
        'x-hint': 'write a two-letter country code in capitals, such as ES or US',
      }),
    ),
    retention: obj(
      {
        credentialDays: Type.Integer({
          minimum: 1,
          default: 730,
          description: 'Credentials unused for longer are purged.',
        }),
        auditDays: Type.Integer({
          minimum: 1,
          default: 365,
          description: 'Audit rows older than this are purged.',
        }),
      },
      { default: {}, description: 'How long stored data is kept.' },
    ),
    agentTokenCacheSeconds: Type.Integer({
      minimum: 0,
      maximum: 600,
      default: 60,
      description:
        "How long Genesys' verdict on an agent token (its organization and user, or its refusal) is kept. Revocation is caught by the conversation check, whose window is conversationCacheSeconds.",
    }),
    conversationCacheSeconds: Type.Integer({
      minimum: 0,
      maximum: 60,
      default: 5,
      description:
        'How long a passed conversation check (agent connected, caller number) is reused for reads, /token and status. Writes, deletes, consent changes and relay sessions always check live. It bounds how long a revoked token or an agent who left the call can still read (docs/backend.md, revocation windows).',
    }),
    trustProxy: Type.Integer({
      minimum: 0,
      maximum: 10,
      default: 0,
      description:
        'Reverse proxies (load balancers) in front of the backend whose X-Forwarded-For is believed, for the client address the limits on refusals count. 0 = none: the TCP peer is the client.',
    }),
    metricsToken: Type.Optional(
      Type.String({
        minLength: 24,
        description:
          'When set, /metrics answers only requests with Authorization: Bearer <this token> (Prometheus bearer_token); without it /metrics is open and must be kept off the public load balancer.',
        'x-secret': true,
        'x-env': 'DASPEAK_METRICS_TOKEN',
        'x-hint': 'use at least 24 characters, for example: openssl rand -hex 24',
      }),
    ),
    rateLimit: obj(
      {
        agentPerMinute: Type.Integer({
          minimum: 1,
          default: 120,
          description: 'Requests per agent per minute.',
        }),
        apiKeyPerMinute: Type.Integer({
          minimum: 1,
          default: 1200,
          description: 'Requests per API key per minute.',
        }),
        failuresPerMinute: Type.Integer({
          minimum: 1,
          default: 30,
          description:
            'Per client address and minute: refused requests plus first checks of an agent token with Genesys. Over it, such requests answer 429 before any call to Genesys and without an audit row.',
        }),
        redisUrl: Type.Optional(
          Type.String({
            pattern: '^rediss?://.+$',
            description:
              'Redis the limits are counted in, so they hold across several backend instances (redis://host:6379/0 or rediss:// for TLS). Without it each instance counts for itself.',
            'x-secret': true,
            'x-env': 'DASPEAK_REDIS_URL',
            'x-hint': 'write redis://host:6379/0 or rediss://user:password@host:6380/0',
          }),
        ),
        redisPrefix: Type.String({
          default: 'daspeak-genesys:rl:',
          minLength: 1,
          maxLength: 64,
          description: 'Prefix of the Redis keys of the limits (one per deployment sharing a Redis).',
        }),
      },
      { default: {}, description: 'Request limits of the backend.' },
    ),
  },
  { description: 'The backend (`daspeak-genesys serve`).' },
);

export const WidgetSchema = obj(
  {
    name: Type.String({
      minLength: 1,
      default: 'Voice Biometrics',
      description: 'Name of the Interaction Widget.',
    }),
    queues: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'Queue names the widget shows for and that get audio monitoring; empty = the widget shows for every queue and no queue gets audio monitoring.',
    }),
    groups: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Group names that see the widget; empty = everyone.',
    }),
    clientId: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The widget's OAuth client (authorization code with PKCE); provision fills it in its state when absent.",
      }),
    ),
    signalling: oneOf(['relay', 'direct'] as const, {
      default: 'relay',
      description:
        "How the widget reaches das-Peak. relay: through the backend's Socket.IO relay, which checks the agent is on the call, opens the das-Peak session with its own token and keeps credentials on the server (the browser holds no das-Peak token and never sees a credential). direct: the seed's design, the browser gets a short-lived das-Peak token from /token and handles the credential itself.",
    }),
    consentWordingVersion: Type.String({
      default: '1',
      pattern: '^[A-Za-z0-9._:-]{1,64}$',
      description:
        'Version of the consent wording the agent reads to the caller; recorded with each consent decision the widget sends.',
      'x-hint': 'use 1 to 64 letters, digits or . _ : -',
    }),
  },
  { default: {}, description: 'The agent Interaction Widget.' },
);

export const FlowsSchema = obj(
  {
    division: Type.String({
      minLength: 1,
      default: 'Home',
      description: 'Division the flows are created in.',
    }),
    defaultLanguage: Type.String({ ...LANGUAGE, default: 'en-us', description: 'Default flow language.' }),
    languages: Type.Array(LANGUAGE, {
      minItems: 1,
      default: ['en-us'],
      description: 'Languages the flows support.',
    }),
    names: obj(
      {
        register: Type.String({
          minLength: 1,
          default: 'Register',
          description: 'Register common module.',
        }),
        verify: Type.String({ minLength: 1, default: 'Verify', description: 'Verify common module.' }),
        inbound: Type.String({
          minLength: 1,
          default: 'Example Inbound',
          description: 'Example inbound call flow using both modules.',
        }),
      },
      { default: {}, description: 'Flow names (the prefix is added in front).' },
    ),
    transferQueue: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Queue the example inbound flow transfers to; default the first of widget.queues (without either, the example flow is not published).',
      }),
    ),
    consentWordingVersion: Type.String({
      minLength: 1,
      default: 'ivr-1',
      description:
        'Version recorded with the consent the IVR asks for; change it when you change the consent prompt.',
    }),
    consentTimeoutSeconds: Type.Integer({
      minimum: 3,
      maximum: 60,
      default: 8,
      description: 'How long the consent menu waits for a key press.',
    }),
    publish: Type.Boolean({
      default: true,
      description: 'Publish the flows with `provision` (false: render them only, for Archy).',
    }),
    prompts: Type.Record(Type.String({ pattern: '^[a-z]{2,3}-[a-z]{2,3}$' }), PromptsSchema, {
      default: {},
      description: 'Prompts per language; en-us has built-in prompts, every other language needs its own.',
    }),
  },
  { default: {}, description: 'The Architect IVR flows.' },
);

export const KitConfigSchema = obj(
  {
    prefix: Type.String({
      pattern: '^[A-Za-z][A-Za-z0-9_-]{0,23}$',
      default: 'daspeak',
      description: 'Name prefix of every object the kit owns in the org.',
      'x-hint': 'start with a letter; use up to 24 letters, digits, _ or -',
    }),
    deploymentId: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9-]{3,39}$',
        description: 'Marks the objects of this deployment; provision generates one when absent.',
        'x-hint': 'use 4 to 40 lower-case letters, digits or -',
      }),
    ),
    platform: oneOf(['genesys', 'twilio'] as const, {
      default: 'genesys',
      description:
        'Contact-center platform the kit serves: genesys (Genesys Cloud, the genesys section) or twilio (Twilio Flex, the twilio section).',
    }),
    genesys: Type.Optional(GenesysSchema),
    twilio: Type.Optional(TwilioSchema),
    daspeak: DaspeakSchema,
    backend: BackendSchema,
    widget: WidgetSchema,
    flows: FlowsSchema,
    log: obj(
      {
        level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, {
          default: 'info',
          description: 'Log level of the backend and the CLI.',
        }),
      },
      { default: {}, description: 'Logging.' },
    ),
  },
  { $id: 'https://daspeak-genesys.dev/schema/config.json', description: 'daspeak-genesys configuration' },
);

export type KitConfig = Static<typeof KitConfigSchema>;
export type Platform = KitConfig['platform'];
export type GenesysConfig = Static<typeof GenesysSchema>;
export type TwilioConfig = Static<typeof TwilioSchema>;
export type AudiohookConfig = NonNullable<KitConfig['daspeak']['audiohook']>;

/** Walks the schema; used for docs, secret paths and did-you-mean. */
export function schemaAt(path: (string | number)[], root: TSchema = KitConfigSchema): TSchema | undefined {
  let node: TSchema | undefined = root;
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === 'number' || node.type === 'array') {
      node = node.items as TSchema | undefined;
      continue;
    }
    const props = node.properties as Record<string, TSchema> | undefined;
    if (props && seg in props) node = props[seg];
    else if (node.patternProperties)
      node = Object.values(node.patternProperties as Record<string, TSchema>)[0];
    else return undefined;
  }
  return node;
}

/** Dotted paths of every secret in the schema, `[]` for array items (e.g. `backend.apiKeys[]`). */
export function secretPaths(root: TSchema = KitConfigSchema, prefix = ''): string[] {
  const out: string[] = [];
  if (root['x-secret']) out.push(prefix);
  if (root.type === 'array' && root.items) out.push(...secretPaths(root.items as TSchema, `${prefix}[]`));
  const props = root.properties as Record<string, TSchema> | undefined;
  if (props) {
    for (const [k, v] of Object.entries(props)) out.push(...secretPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}
