import type { KitConfig } from '../../config/schema.js';

/**
 * Names and URLs of what the kit creates, in one place: the flows (which call data actions by
 * category and name), the backend (which serves the widget page) and the widget rely on them.
 * Every name starts with the configured prefix and a space.
 */
export const BASE_NAMES = {
  role: 'Integration',
  backendClient: 'Backend',
  widgetClient: 'Widget',
  audiohook: 'Audiohook',
  audiohookCredential: 'Audiohook credential',
  dataActions: 'Data Actions',
  dataActionsCredential: 'Data Actions credential',
} as const;

export function kitName(prefix: string, base: string): string {
  return `${prefix} ${base}`;
}

/** Whether a name belongs to the kit's namespace (the prefix and a space). */
export function inNamespace(name: string | undefined, prefix: string): name is string {
  return typeof name === 'string' && name.startsWith(`${prefix} `);
}

export const names = (config: Pick<KitConfig, 'prefix' | 'widget'>) => ({
  role: kitName(config.prefix, BASE_NAMES.role),
  backendClient: kitName(config.prefix, BASE_NAMES.backendClient),
  widgetClient: kitName(config.prefix, BASE_NAMES.widgetClient),
  audiohook: kitName(config.prefix, BASE_NAMES.audiohook),
  audiohookCredential: kitName(config.prefix, BASE_NAMES.audiohookCredential),
  widget: kitName(config.prefix, config.widget.name),
  dataActions: kitName(config.prefix, BASE_NAMES.dataActions),
  dataActionsCredential: kitName(config.prefix, BASE_NAMES.dataActionsCredential),
  /** Architect finds a data action by category and name; the category is the integration's name. */
  dataActionCategory: kitName(config.prefix, BASE_NAMES.dataActions),
});

/**
 * Path of the widget page below backend.publicUrl: the backend serves the page Genesys frames at its
 * root (`/` and `/index.html`, src/server/routes/widget-files.ts). It is also the OAuth redirect URI.
 */
export const WIDGET_PAGE_PATH = '';

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The widget page: a redirect URI of the widget's OAuth client (a full-page sign-in comes back to it). */
export function widgetPageUrl(config: Pick<KitConfig, 'backend'>): string {
  return new URL(WIDGET_PAGE_PATH, withSlash(config.backend.publicUrl)).href;
}

/**
 * Path of the sign-in popup's redirect page below backend.publicUrl: the Genesys login page cannot be
 * framed, so the widget signs in in a popup that comes back here and hands the code to the widget
 * (contract A: config.js `redirectUri`).
 */
export const AUTH_POPUP_PATH = 'auth-popup.html';

/** The sign-in popup's redirect page: the redirect URI the widget signs in with. */
export function authPopupUrl(config: Pick<KitConfig, 'backend'>): string {
  return new URL(AUTH_POPUP_PATH, withSlash(config.backend.publicUrl)).href;
}

/**
 * The Interaction Widget URL: the page with the tokens Genesys fills when it frames the widget
 * (reference §3.1). Written out rather than built with URLSearchParams, which would escape the braces.
 */
export function widgetAppUrl(config: Pick<KitConfig, 'backend'>): string {
  return (
    `${widgetPageUrl(config)}?conversationId={{gcConversationId}}&gcHostOrigin={{gcHostOrigin}}` +
    '&gcTargetEnv={{gcTargetEnv}}&langTag={{gcLangTag}}'
  );
}

/** Base URL of the backend without a trailing slash, for data-action URL templates. */
export function backendBaseUrl(config: Pick<KitConfig, 'backend'>): string {
  return config.backend.publicUrl.replace(/\/+$/, '');
}
