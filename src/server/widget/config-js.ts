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
  audioProtocol: 'audiohook';
  audioFormat: string;
  audioCodec: string;
  sampleFormat: string;
  sampleRate: number;
  channels: number;
  audioTotalDuration: { register: number; verify: number };
  authenticityThreshold: number;
  verificationThreshold: number;
  modelHash: string;
  /** Genesys region host (mypurecloud.ie), or null for a sandbox org given by genesysBaseUrl. */
  genesysRegion: string | null;
  genesysBaseUrl: string | null;
  /** Origin of the Genesys agent UI that frames the widget. */
  genesysAppsOrigin: string;
  /** The widget's OAuth client (authorization code with PKCE); null until provisioning created one. */
  genesysClientId: string | null;
  /** The sign-in popup's redirect page, a redirect URI of that client: `${backendUrl}auth-popup.html`. */
  redirectUri: string;
  widgetName: string;
}

export function widgetConfig(
  config: KitConfig,
  options: { genesysAppsOrigin: string; widgetClientId?: string | undefined },
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
    audioProtocol: 'audiohook',
    audioFormat: d.audio.format,
    audioCodec: d.audio.codec,
    sampleFormat: d.audio.sampleFormat,
    sampleRate: d.audio.sampleRate,
    channels: d.audio.channels,
    audioTotalDuration: { register: d.audioTotalDuration.register, verify: d.audioTotalDuration.verify },
    authenticityThreshold: d.authenticityThreshold,
    verificationThreshold: d.verificationThreshold,
    modelHash: d.modelHash,
    genesysRegion: config.genesys.region ?? null,
    genesysBaseUrl: config.genesys.baseUrl ?? null,
    genesysAppsOrigin: options.genesysAppsOrigin,
    genesysClientId: options.widgetClientId ?? config.widget.clientId ?? null,
    redirectUri: authPopupUrl(config),
    widgetName: config.widget.name,
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
