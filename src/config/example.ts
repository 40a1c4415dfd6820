import type { TSchema } from '@sinclair/typebox';
import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import { KitConfigSchema, type GENESYS_REGIONS } from './schema.js';
import { SANDBOX } from './defaults.js';

/** What `init` asks for; everything else gets a default or an `${env:…}` reference. */
export interface ExampleAnswers {
  sandbox?: boolean;
  /** genesys (default) or twilio: which platform section the config gets. */
  platform?: 'genesys' | 'twilio';
  /** Port of the local Twilio stand-in (with sandbox and platform twilio). */
  twilioPort?: number;
  twilioAccountSid?: string;
  twilioWorkspaceSid?: string;
  /** das-Peak's Twilio Media Streams consumer (wss://…). */
  mediaStreamUrl?: string;
  prefix?: string;
  region?: (typeof GENESYS_REGIONS)[number];
  /** A Genesys API gateway (a sandbox org), instead of a region. */
  genesysBaseUrl?: string;
  /** Sandbox ports (`sandbox`/`demo --genesys-port …`), for the URLs a flag did not give. */
  genesysPort?: number;
  daspeakPort?: number;
  backendPort?: number;
  genesysClientId?: string;
  daspeakRestUrl?: string;
  daspeakSocketUrl?: string;
  daspeakTokenUrl?: string;
  daspeakClientId?: string;
  audiohookUri?: string;
  modelHash?: string;
  publicUrl?: string;
  databaseUrl?: string;
  queues?: string[];
}

const env = (name: string) => `\${env:${name}}`;

/** The values of an example config; `sandbox` points every URL at the local sandboxes. */
export function exampleValues(a: ExampleAnswers): Record<string, unknown> {
  if (a.sandbox) {
    // The sandboxes' well-known values, with every URL a flag gave in its place.
    const dpPort = a.daspeakPort ?? SANDBOX.daspeakPort;
    const dp = `http://${SANDBOX.host}:${dpPort}`;
    const sio = a.daspeakSocketUrl ?? dp;
    const publicUrl = a.publicUrl ?? `http://${SANDBOX.host}:${a.backendPort ?? SANDBOX.backendPort}/`;
    const twilio = a.platform === 'twilio';
    return {
      prefix: a.prefix ?? 'daspeak',
      ...(twilio
        ? {
            platform: 'twilio',
            twilio: {
              accountSid: a.twilioAccountSid ?? SANDBOX.twilio.accountSid,
              authToken: SANDBOX.twilio.authToken,
              workspaceSid: a.twilioWorkspaceSid ?? SANDBOX.twilio.workspaceSid,
              apiBaseUrl: `http://${SANDBOX.host}:${a.twilioPort ?? SANDBOX.twilioPort}`,
              mediaStreamUrl:
                a.mediaStreamUrl ?? `ws://${SANDBOX.host}:${dpPort}${SANDBOX.daspeak.twilioPath}`,
            },
          }
        : {
            genesys: {
              baseUrl: a.genesysBaseUrl ?? `http://${SANDBOX.host}:${a.genesysPort ?? SANDBOX.genesysPort}`,
              clientId: a.genesysClientId ?? SANDBOX.genesys.clientId,
              clientSecret: SANDBOX.genesys.clientSecret,
            },
          }),
      daspeak: {
        rest: {
          baseUrl: a.daspeakRestUrl ?? `${dp}${SANDBOX.daspeak.restPath}`,
          apiKey: SANDBOX.daspeak.apiKey,
        },
        socketio: { url: sio },
        auth: {
          tokenUrl: a.daspeakTokenUrl ?? `${sio.replace(/\/$/, '')}${SANDBOX.daspeak.tokenPath}`,
          clientId: a.daspeakClientId ?? SANDBOX.daspeak.clientId,
          clientSecret: SANDBOX.daspeak.clientSecret,
        },
        // Genesys streams call audio over Audiohook; Twilio over Media Streams (twilio.mediaStreamUrl).
        ...(twilio
          ? {}
          : {
              audiohook: {
                connectionUri:
                  a.audiohookUri ?? `ws://${SANDBOX.host}:${dpPort}${SANDBOX.daspeak.audiohookPath}`,
                apiKey: SANDBOX.daspeak.audiohookApiKey,
                clientSecret: SANDBOX.daspeak.audiohookClientSecret,
              },
            }),
        modelHash: a.modelHash ?? SANDBOX.daspeak.modelHash,
      },
      backend: {
        publicUrl,
        listen: { port: backendPort(publicUrl) ?? SANDBOX.backendPort },
        databaseUrl: a.databaseUrl ?? 'sqlite:./daspeak-genesys.db',
        encryptionKeys: [{ id: 'sandbox', key: SANDBOX.backend.encryptionKey }],
        apiKeys: [SANDBOX.backend.apiKey],
      },
      // The sandbox org's seeded queue, so simulate --via-genesys and audio monitoring work at once.
      ...(twilio ? {} : { widget: { queues: a.queues ?? [SANDBOX.genesys.queue] } }),
    };
  }
  const sio = a.daspeakSocketUrl ?? 'https://api.eu.veri-das.com';
  const twilio = a.platform === 'twilio';
  return {
    prefix: a.prefix ?? 'daspeak',
    ...(twilio
      ? {
          platform: 'twilio',
          twilio: {
            accountSid: a.twilioAccountSid ?? env('TWILIO_ACCOUNT_SID'),
            authToken: env('TWILIO_AUTH_TOKEN'),
            workspaceSid: a.twilioWorkspaceSid ?? env('TWILIO_WORKSPACE_SID'),
            mediaStreamUrl: a.mediaStreamUrl ?? env('DASPEAK_TWILIO_STREAM_URL'),
          },
        }
      : {
          genesys: {
            ...(a.genesysBaseUrl ? { baseUrl: a.genesysBaseUrl } : { region: a.region ?? 'mypurecloud.ie' }),
            clientId: a.genesysClientId ?? env('GENESYS_CLIENT_ID'),
            clientSecret: env('GENESYS_CLIENT_SECRET'),
          },
        }),
    daspeak: {
      rest: {
        baseUrl: a.daspeakRestUrl ?? 'https://api.eu.veri-das.com/dpsrest',
        apiKey: env('DASPEAK_API_KEY'),
      },
      socketio: { url: sio },
      auth: {
        tokenUrl: a.daspeakTokenUrl ?? `${sio.replace(/\/$/, '')}/socket.io/oauth2/token`,
        clientId: a.daspeakClientId ?? env('DASPEAK_CLIENT_ID'),
        clientSecret: env('DASPEAK_CLIENT_SECRET'),
      },
      ...(twilio
        ? {}
        : {
            audiohook: {
              connectionUri: a.audiohookUri ?? env('DASPEAK_AUDIOHOOK_URI'),
              apiKey: env('DASPEAK_AUDIOHOOK_API_KEY'),
              clientSecret: env('DASPEAK_AUDIOHOOK_CLIENT_SECRET'),
            },
          }),
      modelHash: a.modelHash ?? env('DASPEAK_MODEL_HASH'),
    },
    backend: {
      publicUrl: a.publicUrl ?? env('DASPEAK_BACKEND_URL'),
      databaseUrl: a.databaseUrl ?? 'sqlite:./daspeak-genesys.db',
      encryptionKeys: [{ id: 'k1', key: env('DASPEAK_STORE_KEY') }],
      apiKeys: [env('DASPEAK_BACKEND_API_KEY')],
    },
    ...(twilio ? {} : { widget: { queues: a.queues ?? [] } }),
  };
}

/** The port of a loopback public URL (the backend listens there); undefined for any other URL. */
function backendPort(publicUrl: string | undefined): number | undefined {
  if (!publicUrl) return undefined;
  try {
    const url = new URL(publicUrl);
    if (url.hostname !== SANDBOX.host && url.hostname !== 'localhost') return undefined;
    return url.port ? Number(url.port) : undefined;
  } catch {
    return undefined;
  }
}

/** The environment variables an example config refers to. */
export function referencedEnv(values: unknown): string[] {
  const names = new Set<string>();
  const visit = (v: unknown) => {
    if (typeof v === 'string')
      for (const m of v.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(m[1]!);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(values);
  return [...names];
}

/** Renders values as YAML with each key's schema description as a comment above it. */
export function renderExample(values: Record<string, unknown>): string {
  const doc = new Document(values);
  annotate(doc.contents, KitConfigSchema);
  doc.commentBefore = [
    ' daspeak-genesys configuration — reference: docs/configuration.md',
    ' Check it with `daspeak-genesys validate`. Secrets are read from the environment: ${env:NAME}.',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

function annotate(node: Node | null, schema: TSchema | undefined): void {
  if (!node || !schema) return;
  if (isMap(node)) {
    const props = (schema.properties ?? {}) as Record<string, TSchema>;
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const child = props[String(pair.key.value)];
      if (child?.description) {
        const extra =
          child.default !== undefined && !isMap(pair.value)
            ? ` (default: ${JSON.stringify(child.default)})`
            : '';
        pair.key.commentBefore = ` ${String(child.description)}${extra}`;
      }
      annotate(pair.value as Node, child);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) annotate(item as Node, schema.items as TSchema | undefined);
  }
}
