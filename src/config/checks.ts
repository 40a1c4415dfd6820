import { SANDBOX } from './defaults.js';
import type { ConfigIssue } from './issues.js';
import { formatPath } from './issues.js';
import { expandPath, valueAt } from './paths.js';
import { AUDIOHOOK_HINT } from './platform.js';
import { secretPaths, type KitConfig } from './schema.js';

/**
 * The sandboxes' well-known test secrets (src/config/defaults.ts). They protect nothing: writing one
 * in a sandbox config earns no warning, and a config for a real org that keeps one is an error.
 */
export const SANDBOX_SECRETS: ReadonlySet<string> = new Set<string>([
  SANDBOX.genesys.clientSecret,
  SANDBOX.twilio.authToken,
  SANDBOX.daspeak.apiKey,
  SANDBOX.daspeak.clientSecret,
  SANDBOX.daspeak.audiohookApiKey,
  SANDBOX.daspeak.audiohookClientSecret,
  SANDBOX.backend.apiKey,
  SANDBOX.backend.encryptionKey,
]);

/** The openssl line that makes a fresh value for a secret at this path. */
function freshSecretHint(path: string): string {
  if (path.startsWith('backend.encryptionKeys')) return 'generate a key with: openssl rand -base64 32';
  if (path.startsWith('backend.apiKeys')) return 'generate a key with: openssl rand -hex 24';
  if (path === 'daspeak.audiohook.clientSecret') return 'generate one with: openssl rand -base64 32';
  return 'use the value issued for your deployment (Genesys admin, Veridas), through ${env:…}';
}

type Located = ConfigIssue & { segments: (string | number)[] };

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;
const unresolved = (v: unknown) => typeof v === 'string' && v.includes('${env:');

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function issue(segments: (string | number)[], code: string, message: string, hint?: string): Located {
  return { code, path: formatPath(segments), segments, message, hint };
}

/** Rules that span several keys, so a schema cannot say them; run after the schema passed. */
export function crossChecks(config: KitConfig): Located[] {
  const out: Located[] = [];
  out.push(...platformChecks(config));
  const g = config.genesys;
  if (g && g.region === undefined && g.baseUrl === undefined) {
    out.push(
      issue(
        ['genesys', 'region'],
        'config.missing_key',
        'give genesys.region (a real org) or genesys.baseUrl (a local sandbox org)',
        'add region: mypurecloud.ie (or your region)',
      ),
    );
  }
  if (g && g.region !== undefined && g.baseUrl !== undefined) {
    out.push(
      issue(
        ['genesys', 'baseUrl'],
        'config.conflict',
        'genesys.region and genesys.baseUrl are both set; the kit would not know which org to use',
        'keep region for a real org or baseUrl for a sandbox, not both',
      ),
    );
  }

  // Browsers refuse mixed content and Genesys only streams to publicly trusted TLS endpoints.
  // Twilio likewise streams call audio only to wss:// and the kit sends its auth token only over TLS.
  const secure: [(string | number)[], string | undefined, string][] = [
    [['backend', 'publicUrl'], config.backend.publicUrl, 'https'],
    [['daspeak', 'audiohook', 'connectionUri'], config.daspeak.audiohook?.connectionUri, 'wss'],
    [['twilio', 'apiBaseUrl'], config.twilio?.apiBaseUrl, 'https'],
    [['twilio', 'mediaStreamUrl'], config.twilio?.mediaStreamUrl, 'wss'],
  ];
  for (const [segments, value, scheme] of secure) {
    if (value === undefined || unresolved(value)) continue;
    const host = hostOf(value);
    const protocol = value.split(':')[0];
    if (host && !LOOPBACK.test(host) && protocol !== scheme) {
      out.push(
        issue(
          segments,
          'config.insecure_url',
          `must use ${scheme}:// when the host (${host}) is not this machine`,
          segments[0] === 'twilio'
            ? `Twilio streams audio only to wss:// and the auth token must not cross the network in clear; write ${scheme}://${host}…`
            : `Genesys loads widgets and streams audio only over TLS; write ${scheme}://${host}…`,
        ),
      );
    }
  }

  const secret = config.daspeak.audiohook?.clientSecret;
  if (secret !== undefined && !unresolved(secret) && !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
    out.push(
      issue(
        ['daspeak', 'audiohook', 'clientSecret'],
        'config.bad_format',
        'the Audiohook client secret must be base64 (Genesys signs with its decoded bytes)',
        'generate one with: openssl rand -base64 32',
      ),
    );
  }

  const keyIds = new Map<string, number>();
  config.backend.encryptionKeys.forEach((k, i) => {
    const first = keyIds.get(k.id);
    if (first !== undefined) {
      out.push(
        issue(
          ['backend', 'encryptionKeys', i, 'id'],
          'config.duplicate',
          `key id "${k.id}" is already used by encryptionKeys[${first}]`,
          'give every key its own id',
        ),
      );
    } else keyIds.set(k.id, i);
  });
  const apiKeys = config.backend.apiKeys;
  if (apiKeys.length === 2 && apiKeys[0] === apiKeys[1] && !unresolved(apiKeys[0])) {
    out.push(
      issue(['backend', 'apiKeys', 1], 'config.duplicate', 'both API keys are the same', 'remove one'),
    );
  }

  // A real org, or a backend the public reaches over TLS, is no sandbox: the sandboxes' published
  // test secrets would open it to anyone who has read this repository.
  const realTwilio = config.platform === 'twilio' && config.twilio !== undefined && !config.twilio.apiBaseUrl;
  const real = g?.region !== undefined || realTwilio || /^https:/i.test(config.backend.publicUrl);
  if (real) {
    const why =
      g?.region !== undefined
        ? `genesys.region is ${g.region}`
        : realTwilio
          ? 'twilio.apiBaseUrl is absent (the real Twilio)'
          : 'backend.publicUrl is https';
    for (const pattern of secretPaths()) {
      for (const segments of expandPath(pattern, config)) {
        const value = valueAt(config, segments);
        if (typeof value !== 'string' || !SANDBOX_SECRETS.has(value)) continue;
        const path = formatPath(segments);
        out.push(
          issue(
            segments,
            'config.sandbox_secret',
            `is a published sandbox test secret, and ${why}: a real deployment must not use it`,
            freshSecretHint(path),
          ),
        );
      }
    }
  }

  const flows = config.flows;
  if (!flows.languages.includes(flows.defaultLanguage)) {
    out.push(
      issue(
        ['flows', 'defaultLanguage'],
        'config.not_allowed',
        `default language "${flows.defaultLanguage}" is not in flows.languages (${flows.languages.join(', ')})`,
        `add ${flows.defaultLanguage} to flows.languages`,
      ),
    );
  }
  flows.languages.forEach((lang, i) => {
    if (lang !== 'en-us' && !flows.prompts[lang]) {
      out.push(
        issue(
          ['flows', 'languages', i],
          'config.missing_prompts',
          `language ${lang} has no prompts (only en-us has built-in prompts)`,
          `add flows.prompts.${lang} with every prompt`,
        ),
      );
    }
  });
  return out;
}

const PLATFORM_HINTS = {
  genesys: 'add a genesys section (region, clientId, clientSecret), or set platform: twilio',
  twilio:
    'add a twilio section (accountSid, authToken, workspaceSid), or write a fresh one with `daspeak-genesys init --platform twilio`',
} as const;

/** The section of the chosen platform must be there; the other platform's section is ignored. */
function platformChecks(config: KitConfig): Located[] {
  const out: Located[] = [];
  const platform = config.platform;
  if (config[platform] === undefined) {
    out.push(
      issue(
        [platform],
        'config.missing_key',
        `platform is ${platform}, but the config has no ${platform} section`,
        PLATFORM_HINTS[platform],
      ),
    );
  }
  // Genesys streams call audio to das-Peak over Audiohook; Twilio over Media Streams (twilio section).
  if (platform === 'genesys' && config.daspeak.audiohook === undefined) {
    out.push(
      issue(
        ['daspeak', 'audiohook'],
        'config.missing_key',
        'platform is genesys, but daspeak has no audiohook section',
        AUDIOHOOK_HINT,
      ),
    );
  }
  const apiBase = config.twilio?.apiBaseUrl;
  if (apiBase !== undefined && !unresolved(apiBase)) {
    let extra = '';
    try {
      const u = new URL(apiBase);
      if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash)
        extra = u.pathname + u.search + u.hash;
    } catch {
      extra = apiBase;
    }
    if (extra) {
      out.push(
        issue(
          ['twilio', 'apiBaseUrl'],
          'config.bad_format',
          `must be an origin only (scheme, host, port); "${extra}" after it would be lost`,
          "write it as http://127.0.0.1:4030 — the kit appends Twilio's own paths",
        ),
      );
    }
  }
  return out;
}

/** Advice that does not make a config invalid: a section the chosen platform never reads. */
export function crossWarnings(config: KitConfig): Located[] {
  const out: Located[] = [];
  const other = config.platform === 'twilio' ? 'genesys' : 'twilio';
  if (config[other] !== undefined) {
    out.push(
      issue(
        [other],
        'config.unused_section',
        `is ignored: platform is ${config.platform}`,
        config.platform === 'twilio'
          ? 'remove the genesys section, or set platform: genesys'
          : 'remove the twilio section, or set platform: twilio',
      ),
    );
  }
  if (config.platform === 'twilio' && config.daspeak.audiohook !== undefined) {
    out.push(
      issue(
        ['daspeak', 'audiohook'],
        'config.unused_section',
        'is ignored: platform is twilio, whose call audio reaches das-Peak over Media Streams (twilio.mediaStreamUrl)',
        'remove daspeak.audiohook, or set platform: genesys',
      ),
    );
  }
  return out;
}
