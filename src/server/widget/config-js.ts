import type { KitConfig } from '../../config/index.js';
import { authPopupUrl } from '../../genesys/resources/names.js';

/** What the widget reads from config.js. Everything here is public: it is served to every browser. */
export interface WidgetConfig {
  /** Base URL of this backend, ending in `/` (utils.js calls `database/…` and `token` below it). */
  backendUrl: string;
  /** The URL getTemporaryToken(authenticationServerUrl) is called with: this backend's /token. */
  authUrl: string;
  sioUrl: string;
  sioPath: string;
  registerNamespace: string;
  verifyNamespace: string;
  tokenTransport: 'auth' | 'query' | 'header';
  /** The contact-center platform (config `platform`): which adapter's calls and tokens the backend takes. */
  platform: 'genesys' | 'twilio';
  /** das-Peak's audio channel of the platform's calls: Audiohook (Genesys) or Twilio Media Streams. */
  audioProtocol: 'audiohook' | 'twilio';
  audioFormat: string;
  audioCodec: string;
  sampleFormat: string;
  sampleRate: number;
  channels: number;
  audioTotalDuration: { register: number; verify: number };
  authenticityThreshold: number;
  verificationThreshold: number;
  modelHash: string;
  /** Genesys region host (mypurecloud.ie), or null for a sandbox org given by genesysBaseUrl (or on Twilio). */
  genesysRegion: string | null;
  genesysBaseUrl: string | null;
  /** Origin of the agent UI the widget runs in: Genesys' apps origin, Flex's (or the local stand-in's). */
  genesysAppsOrigin: string;
  /** The widget's OAuth client (authorization code with PKCE); null until provisioning created one. */
  genesysClientId: string | null;
  /** The sign-in popup's redirect page, a redirect URI of that client: `${backendUrl}auth-popup.html`. */
  redirectUri: string;
  widgetName: string;
  /** relay: das-Peak signalling through the backend's Socket.IO relay; direct: the seed's design. */
  signalling: 'relay' | 'direct';
  /** Where the relay is (relay mode); null in direct mode. */
  relay: RelayLocation | null;
  /** Whether the backend refuses a registration without the caller's recorded consent. */
  requireConsent: boolean;
  /** Version of the consent wording, sent with each consent decision. */
  consentWordingVersion: string;
}

/** The backend's Socket.IO relay as a browser connects to it: `io(url + namespace, { path })`. */
export interface RelayLocation {
  url: string;
  path: string;
  registerNamespace: string;
  verifyNamespace: string;
}

/** Engine.IO path of the relay on the backend's own HTTP server. */
export const RELAY_PATH = '/socket.io';
export const RELAY_NAMESPACES = { register: '/register', verify: '/verify' } as const;

/**
 * The relay as browsers reach it through backend.publicUrl: its origin, and the Engine.IO path under
 * the public URL's path (a proxy that serves the backend below a prefix strips it, as for every route).
 */
export function relayLocation(publicUrl: string): RelayLocation {
  const url = new URL(publicUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  return {
    url: url.origin,
    path: `${prefix}${RELAY_PATH}`,
    registerNamespace: RELAY_NAMESPACES.register,
    verifyNamespace: RELAY_NAMESPACES.verify,
  };
}

export function widgetConfig(
  config: KitConfig,
  options: {
    /** The agent UI's origin (AgentPlatform.appsOrigin). */
    genesysAppsOrigin: string;
    widgetClientId?: string | undefined;
    requireConsent?: boolean | undefined;
  },
): WidgetConfig {
  const backendUrl = config.backend.publicUrl.endsWith('/')
    ? config.backend.publicUrl
    : `${config.backend.publicUrl}/`;
  const d = config.daspeak;
  return {
    backendUrl,
    authUrl: `${backendUrl}token`,
    sioUrl: d.socketio.url,
    sioPath: d.socketio.path,
    registerNamespace: d.socketio.registerNamespace,
    verifyNamespace: d.socketio.verifyNamespace,
    tokenTransport: d.socketio.tokenTransport,
    platform: config.platform === 'twilio' ? 'twilio' : 'genesys',
    audioProtocol: config.platform === 'twilio' ? 'twilio' : 'audiohook',
    audioFormat: d.audio.format,
    audioCodec: d.audio.codec,
    sampleFormat: d.audio.sampleFormat,
    sampleRate: d.audio.sampleRate,
    channels: d.audio.channels,
    audioTotalDuration: { register: d.audioTotalDuration.register, verify: d.audioTotalDuration.verify },
    authenticityThreshold: d.authenticityThreshold,
    verificationThreshold: d.verificationThreshold,
    modelHash: d.modelHash,
    genesysRegion: config.genesys?.region ?? null,
    genesysBaseUrl: config.genesys?.baseUrl ?? null,
    genesysAppsOrigin: options.genesysAppsOrigin,
    genesysClientId: options.widgetClientId ?? config.widget.clientId ?? null,
    redirectUri: authPopupUrl(config),
    widgetName: config.widget.name,
    signalling: config.widget.signalling,
    relay: config.widget.signalling === 'relay' ? relayLocation(config.backend.publicUrl) : null,
    requireConsent: options.requireConsent ?? config.backend.requireConsent,
    consentWordingVersion: config.widget.consentWordingVersion,
  };
}

/** JSON that is also safe inside a script: no line separators or closing tags survive unescaped. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** config.js as an ES module: `import config from './config.js'`. */
export function renderConfigJs(value: WidgetConfig): string {
  return [
    '// Written by `daspeak-genesys serve` from the kit config. Public values only: no secrets.',
    `const config = Object.freeze(${scriptSafeJson(value)});`,
    'export default config;',
    'export { config };',
    '',
  ].join('\n');
}
