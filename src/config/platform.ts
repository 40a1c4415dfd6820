import { SANDBOX } from './defaults.js';
import { ConfigError } from './issues.js';
import type { AudiohookConfig, GenesysConfig, KitConfig, Platform, TwilioConfig } from './schema.js';

/**
 * The platform sections of a config. A config serves one platform (`platform:`, default genesys);
 * code that needs a platform's section asks for it here, so a config for the other platform is
 * refused with one line that says why instead of failing later on an undefined value.
 */

/** The file each loaded config came from, for the error line (configs built in code have none). */
const files = new WeakMap<object, string>();

export function rememberConfigFile(config: KitConfig, file: string): void {
  files.set(config, file);
}

function fileOf(config: KitConfig): string {
  return files.get(config) ?? 'config';
}

const NEEDS: Record<Platform, string> = {
  genesys: 'this command manages a Genesys Cloud org',
  twilio: 'this command works with a Twilio account',
};

const SWITCH: Record<Platform, string> = {
  genesys:
    'use a config with platform: genesys (--config <file>); for Twilio see `daspeak-genesys twilio --help`',
  twilio: 'use a config with platform: twilio (write one with `daspeak-genesys init --platform twilio`)',
};

function sectionOf<P extends Platform>(config: KitConfig, wanted: P): NonNullable<KitConfig[P]> {
  const platform = config.platform ?? 'genesys';
  if (platform !== wanted) {
    throw new ConfigError(fileOf(config), [
      {
        code: 'config.platform_mismatch',
        path: 'platform',
        message: `is ${platform}, but ${NEEDS[wanted]}`,
        hint: SWITCH[wanted],
      },
    ]);
  }
  const section = config[wanted];
  if (section === undefined) {
    throw new ConfigError(fileOf(config), [
      {
        code: 'config.missing_key',
        path: wanted,
        message: `platform is ${wanted}, but the config has no ${wanted} section`,
        hint: `add the ${wanted} section (see docs/configuration.md)`,
      },
    ]);
  }
  return section;
}

/** The genesys section, or a ConfigError `config.platform_mismatch` when the config is for Twilio. */
export function genesysOf(config: KitConfig): GenesysConfig {
  return sectionOf(config, 'genesys');
}

/** The twilio section, or a ConfigError `config.platform_mismatch` when the config is for Genesys. */
export function twilioOf(config: KitConfig): TwilioConfig {
  return sectionOf(config, 'twilio');
}

/**
 * daspeak.audiohook, where Genesys streams call audio. `validate` requires it with platform genesys;
 * a Twilio config may leave it out, so code that streams over Audiohook asks for it here and a
 * config without it is refused with one line naming the section.
 */
export function audiohookOf(config: KitConfig): AudiohookConfig {
  const section = config.daspeak.audiohook;
  if (section === undefined) {
    throw new ConfigError(fileOf(config), [
      {
        code: 'config.missing_key',
        path: 'daspeak.audiohook',
        message: 'is missing, and this streams call audio over Audiohook (Genesys)',
        hint: AUDIOHOOK_HINT,
      },
    ]);
  }
  return section;
}

export const AUDIOHOOK_HINT =
  "add daspeak.audiohook (connectionUri, apiKey, clientSecret): das-Peak's Audiohook channel, the one the Genesys integration streams to";

/** True when err is the refusal of genesysOf/twilioOf (the CLI exits 2 for it, a usage error). */
export function isPlatformMismatch(err: unknown): boolean {
  return err instanceof ConfigError && err.code === 'config.platform_mismatch';
}

/**
 * das-Peak's Twilio Media Streams consumer: twilio.mediaStreamUrl, else the das-Peak Socket.IO
 * origin with the ws(s) scheme and the consumer path of the emulator. Veridas has not published the
 * path of its own consumer (docs/twilio.md), so a real deployment sets mediaStreamUrl.
 */
export function twilioMediaStreamUrl(config: KitConfig): string {
  const configured = twilioOf(config).mediaStreamUrl;
  if (configured) return configured;
  const origin = new URL(config.daspeak.socketio.url);
  origin.protocol = origin.protocol === 'https:' ? 'wss:' : 'ws:';
  origin.pathname = SANDBOX.daspeak.twilioPath;
  origin.search = '';
  origin.hash = '';
  return origin.toString();
}
