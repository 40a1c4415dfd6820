import type * as Flex from '@twilio/flex-ui';

/**
 * Where the kit's backend is. Flex's own configuration wins (`ui_attributes.daspeak.backendUrl`,
 * set with Flex's Configuration API, no rebuild needed); else the URL the plugin was built with
 * (`FLEX_APP_DASPEAK_BACKEND_URL` in widget/flex/.env, as Twilio's plugin tooling reads it).
 */
export interface PluginSettings {
  /** Ends in `/`; config.js and utils.js are loaded from it. Null: not configured. */
  backendUrl: string | null;
}

declare const process: { env: Record<string, string | undefined> };

function buildTimeBackendUrl(): string | undefined {
  try {
    return process.env.FLEX_APP_DASPEAK_BACKEND_URL;
  } catch {
    return undefined;
  }
}

export function pluginSettings(manager: Pick<Flex.Manager, 'serviceConfiguration'>): PluginSettings {
  let configured: unknown;
  try {
    const attributes = manager.serviceConfiguration?.ui_attributes as
      { daspeak?: { backendUrl?: unknown } } | undefined;
    configured = attributes?.daspeak?.backendUrl;
  } catch {
    configured = undefined;
  }
  const raw = typeof configured === 'string' && configured !== '' ? configured : buildTimeBackendUrl();
  if (!raw) return { backendUrl: null };
  return { backendUrl: raw.endsWith('/') ? raw : `${raw}/` };
}
