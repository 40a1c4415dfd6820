import { describe, expect, it } from 'vitest';
import { SANDBOX } from '../../src/config/defaults.js';
import { exampleValues, renderExample } from '../../src/config/example.js';
import {
  audiohookOf,
  ConfigError,
  genesysOf,
  isPlatformMismatch,
  parseConfigText,
  twilioMediaStreamUrl,
  twilioOf,
} from '../../src/config/index.js';
import { ENV, VALID, issuesOf as issuesWith, onlyIssue as onlyIssueWith } from './valid-config.js';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const WORKSPACE = 'WS0123456789abcdef0123456789abcdef';

/** VALID with its genesys section replaced by a Twilio one (platform: twilio, real Twilio). */
const GENESYS_SECTION = /^genesys:\n(?: {2}.*\n)+/m;
const TWILIO_SECTION = `platform: twilio
twilio:
  accountSid: ${ACCOUNT}
  authToken: \${env:TWILIO_AUTH_TOKEN}
  workspaceSid: ${WORKSPACE}
  mediaStreamUrl: wss://streams.example.com/twilio
`;
/** daspeak.audiohook of VALID: Genesys' audio channel, which a Twilio config leaves out. */
const AUDIOHOOK_SECTION = /^ {2}audiohook:\n(?: {4}.*\n)+/m;
const TWILIO = VALID.replace(GENESYS_SECTION, TWILIO_SECTION).replace(AUDIOHOOK_SECTION, '');
const TENV = { ...ENV, TWILIO_AUTH_TOKEN: 'a-real-auth-token-0123456789abcdef' };
const issuesOf = (text: string, env: Record<string, string> = TENV) => issuesWith(text, env);
const onlyIssue = (text: string, env: Record<string, string> = TENV) => onlyIssueWith(text, env);

describe('config: platform', () => {
  it('defaults to genesys, so every existing config keeps working', () => {
    const { config, warnings } = parseConfigText(VALID, 'kit.yaml', { env: ENV });
    expect(config.platform).toBe('genesys');
    expect(genesysOf(config).region).toBe('mypurecloud.ie');
    expect(warnings.map((w) => w.code)).not.toContain('config.unused_section');
  });

  it('loads a Twilio config without a genesys section or an Audiohook section, with no warning', () => {
    expect(TWILIO).not.toMatch(/^genesys:/m);
    expect(TWILIO).not.toMatch(/audiohook:/);
    const { config, warnings } = parseConfigText(TWILIO, 'kit.yaml', { env: TENV });
    expect(config.platform).toBe('twilio');
    expect(twilioOf(config)).toEqual({
      accountSid: ACCOUNT,
      authToken: TENV.TWILIO_AUTH_TOKEN,
      workspaceSid: WORKSPACE,
      mediaStreamUrl: 'wss://streams.example.com/twilio',
    });
    expect(warnings).toEqual([]);
    expect(config.daspeak.audiohook).toBeUndefined();
  });

  it('platform genesys without daspeak.audiohook: missing key, naming what it is for', () => {
    const issue = onlyIssue(VALID.replace(AUDIOHOOK_SECTION, ''), ENV);
    expect(issue).toMatchObject({ code: 'config.missing_key', path: 'daspeak.audiohook' });
    expect(issue.message).toBe('platform is genesys, but daspeak has no audiohook section');
    expect(issue.hint).toMatch(/^add daspeak\.audiohook \(connectionUri, apiKey, clientSecret\)/);
  });

  it('a Twilio config that keeps daspeak.audiohook loads, with a warning that it is ignored', () => {
    const kept = VALID.replace(GENESYS_SECTION, TWILIO_SECTION);
    const { config, warnings } = parseConfigText(kept, 'kit.yaml', { env: TENV });
    expect(config.daspeak.audiohook?.apiKey).toBe('acmeAudiohookKey');
    const unused = warnings.filter((w) => w.code === 'config.unused_section');
    expect(unused).toHaveLength(1);
    expect(unused[0]).toMatchObject({ path: 'daspeak.audiohook' });
    expect(unused[0]!.message).toMatch(/^is ignored: platform is twilio/);
    expect(unused[0]!.hint).toBe('remove daspeak.audiohook, or set platform: genesys');
  });

  it('an unknown platform is refused with the allowed values and a did-you-mean', () => {
    const issue = onlyIssue(TWILIO.replace('platform: twilio', 'platform: twillio'));
    expect(issue).toMatchObject({ code: 'config.not_allowed', path: 'platform', line: 2 });
    expect(issue.message).toBe('must be one of genesys, twilio, not "twillio"');
    expect(issue.hint).toBe('did you mean "twilio"?');
  });

  it('platform twilio without a twilio section: missing key, with how to write one', () => {
    const text = VALID.replace(GENESYS_SECTION, 'platform: twilio\n');
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ code: 'config.missing_key', path: 'twilio' });
    expect(issue.message).toBe('platform is twilio, but the config has no twilio section');
    expect(issue.hint).toMatch(/init --platform twilio/);
  });

  it('platform genesys (the default) without a genesys section: missing key', () => {
    const text = VALID.replace(GENESYS_SECTION, '');
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ code: 'config.missing_key', path: 'genesys' });
    expect(issue.message).toBe('platform is genesys, but the config has no genesys section');
    expect(issue.hint).toMatch(/platform: twilio/);
  });

  it('the other platform section is kept but earns a warning that it is ignored', () => {
    const both = VALID.replace(
      'prefix: acme\n',
      `prefix: acme\n${TWILIO_SECTION.replace('platform: twilio\n', '')}`,
    );
    const { warnings } = parseConfigText(both, 'kit.yaml', { env: TENV });
    const unused = warnings.find((w) => w.code === 'config.unused_section');
    expect(unused).toMatchObject({ path: 'twilio', message: 'is ignored: platform is genesys', line: 2 });

    const reverse = TWILIO.replace(
      'platform: twilio\n',
      'platform: twilio\ngenesys:\n  region: mypurecloud.ie\n  clientId: c\n  clientSecret: ${env:GENESYS_CLIENT_SECRET}\n',
    );
    const w2 = parseConfigText(reverse, 'kit.yaml', { env: TENV }).warnings;
    expect(w2.find((w) => w.code === 'config.unused_section')).toMatchObject({
      path: 'genesys',
      message: 'is ignored: platform is twilio',
    });
  });
});

describe('config: the twilio section', () => {
  it('an account SID of the wrong form: bad format, with a hint naming where to find it', () => {
    const issue = onlyIssue(TWILIO.replace(ACCOUNT, 'SK0123456789abcdef0123456789abcdef'));
    expect(issue).toMatchObject({ code: 'config.bad_format', path: 'twilio.accountSid', line: 4 });
    expect(issue.message).toBe('"SK0123456789abcdef0123456789abcdef" is not in the expected form');
    expect(issue.hint).toMatch(/AC followed by 32 hexadecimal digits/);
    expect(issue.hint).toMatch(/API key SID \(SK…\) is not an account SID/);
  });

  it('a truncated workspace SID: bad format, with a hint', () => {
    const issue = onlyIssue(TWILIO.replace(WORKSPACE, WORKSPACE.slice(0, 20)));
    expect(issue).toMatchObject({ code: 'config.bad_format', path: 'twilio.workspaceSid' });
    expect(issue.hint).toMatch(/WS followed by 32 hexadecimal digits/);
  });

  it('a missing auth token: the hint suggests the environment variable', () => {
    const issue = onlyIssue(TWILIO.replace('  authToken: ${env:TWILIO_AUTH_TOKEN}\n', ''));
    expect(issue).toMatchObject({ code: 'config.missing_key', path: 'twilio.authToken' });
    expect(issue.hint).toBe('add authToken: ${env:TWILIO_AUTH_TOKEN}');
  });

  it('an unset TWILIO_AUTH_TOKEN is reported by name', () => {
    const { TWILIO_AUTH_TOKEN: _unset, ...env } = TENV;
    const issue = onlyIssue(TWILIO, env);
    expect(issue.path).toBe('twilio.authToken');
    expect(issue.message).toMatch(/TWILIO_AUTH_TOKEN/);
  });

  it('apiBaseUrl over http to a host other than this machine: insecure, refused', () => {
    const text = TWILIO.replace(
      '  mediaStreamUrl:',
      '  apiBaseUrl: http://twilio-proxy.example.com:8443\n  mediaStreamUrl:',
    );
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ code: 'config.insecure_url', path: 'twilio.apiBaseUrl', line: 7 });
    expect(issue.message).toBe(
      'must use https:// when the host (twilio-proxy.example.com) is not this machine',
    );
    expect(issue.hint).toMatch(/auth token must not cross the network in clear/);
  });

  it('apiBaseUrl over http to loopback is the local stand-in: accepted', () => {
    const text = TWILIO.replace(
      '  mediaStreamUrl:',
      '  apiBaseUrl: http://127.0.0.1:4030\n  mediaStreamUrl:',
    );
    expect(twilioOf(parseConfigText(text, 'kit.yaml', { env: TENV }).config).apiBaseUrl).toBe(
      'http://127.0.0.1:4030',
    );
  });

  it('apiBaseUrl with a path: refused, since the kit appends Twilio paths to the origin', () => {
    const text = TWILIO.replace(
      '  mediaStreamUrl:',
      '  apiBaseUrl: https://proxy.example.com/twilio\n  mediaStreamUrl:',
    );
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ code: 'config.bad_format', path: 'twilio.apiBaseUrl' });
    expect(issue.message).toMatch(/origin only .*"\/twilio"/);
  });

  it('mediaStreamUrl over ws:// to a remote host: insecure (Twilio streams only to wss://)', () => {
    const issue = onlyIssue(TWILIO.replace('wss://streams.example.com', 'ws://streams.example.com'));
    expect(issue).toMatchObject({ code: 'config.insecure_url', path: 'twilio.mediaStreamUrl' });
    expect(issue.hint).toMatch(/Twilio streams audio only to wss:\/\//);
  });

  it('mediaStreamUrl over https://: bad format (a WebSocket URL is wanted)', () => {
    const issue = onlyIssue(TWILIO.replace('wss://streams.example.com', 'https://streams.example.com'));
    expect(issue).toMatchObject({ code: 'config.bad_format', path: 'twilio.mediaStreamUrl' });
    expect(issue.hint).toBe('write a full URL starting with ws:// or wss://');
  });

  it('an unknown key in the twilio section: did you mean', () => {
    // workspaceSid is then missing as well: two issues, each on its own path.
    const all = issuesOf(TWILIO.replace('  workspaceSid:', '  workspaceSID:'));
    expect(all.find((i) => i.code === 'config.unknown_key')?.hint).toBe('did you mean "workspaceSid"?');
  });

  it('the sandbox auth token with the real Twilio (no apiBaseUrl) is refused', () => {
    const text = TWILIO.replace('${env:TWILIO_AUTH_TOKEN}', SANDBOX.twilio.authToken);
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ code: 'config.sandbox_secret', path: 'twilio.authToken' });
    expect(issue.message).toMatch(/twilio.apiBaseUrl is absent/);
  });
});

describe('config: genesysOf / twilioOf', () => {
  const twilioConfig = () => parseConfigText(TWILIO, '/etc/kit/twilio.yaml', { env: TENV }).config;
  const genesysConfig = () => parseConfigText(VALID, '/etc/kit/genesys.yaml', { env: ENV }).config;

  it('genesysOf refuses a Twilio config with one line naming the file, and a way out', () => {
    let err: unknown;
    try {
      genesysOf(twilioConfig());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(isPlatformMismatch(err)).toBe(true);
    const e = err as ConfigError;
    expect(e.code).toBe('config.platform_mismatch');
    expect(e.lines()).toEqual([
      '/etc/kit/twilio.yaml platform: is twilio, but this command manages a Genesys Cloud org (hint: use a config with platform: genesys (--config <file>); for Twilio see `daspeak-genesys twilio --help`)',
    ]);
  });

  it('twilioOf refuses a Genesys config likewise', () => {
    expect(() => twilioOf(genesysConfig())).toThrow(
      /genesys\.yaml platform: is genesys, but this command works with a Twilio account/,
    );
    expect(genesysOf(genesysConfig()).clientId).toMatch(/^0b1c2d3e/);
  });

  it('a config built in code without the section gets a missing-key error, not a crash', () => {
    const config = { ...genesysConfig(), platform: 'twilio' as const };
    expect(() => twilioOf(config)).toThrow(ConfigError);
    try {
      twilioOf(config);
    } catch (e) {
      expect((e as ConfigError).code).toBe('config.missing_key');
      expect(isPlatformMismatch(e)).toBe(false);
    }
  });

  it('audiohookOf refuses a config without the section with one line naming the file', () => {
    expect(() => audiohookOf(twilioConfig())).toThrow(ConfigError);
    try {
      audiohookOf(twilioConfig());
    } catch (e) {
      const err = e as ConfigError;
      expect(err.code).toBe('config.missing_key');
      expect(err.lines()).toHaveLength(1);
      expect(err.lines()[0]).toMatch(
        /^\/etc\/kit\/twilio\.yaml daspeak\.audiohook: is missing, and this streams call audio over Audiohook \(Genesys\) \(hint: add daspeak\.audiohook/,
      );
    }
    expect(audiohookOf(genesysConfig()).connectionUri).toBe('wss://audiohook.eu.veri-das.com/genesys');
  });

  it('mediaStreamUrl defaults to the das-Peak origin with the ws(s) scheme and /twilio/ws', () => {
    const text = TWILIO.replace('  mediaStreamUrl: wss://streams.example.com/twilio\n', '');
    const config = parseConfigText(text, 'kit.yaml', { env: TENV }).config;
    expect(twilioMediaStreamUrl(config)).toBe('wss://api.eu.veri-das.com/twilio/ws');
    expect(twilioMediaStreamUrl(twilioConfig())).toBe('wss://streams.example.com/twilio');
  });
});

describe('config: example configs for Twilio', () => {
  it('init --sandbox --platform twilio: valid, the stand-in on 4030, the emulator consumer, no warnings', () => {
    const text = renderExample(exampleValues({ sandbox: true, platform: 'twilio' }));
    const { config, warnings } = parseConfigText(text, 'kit.yaml', { env: {} });
    expect(warnings).toEqual([]);
    expect(config.platform).toBe('twilio');
    expect(config.genesys).toBeUndefined();
    expect(config.daspeak.audiohook).toBeUndefined();
    expect(text).not.toMatch(/audiohook/i);
    expect(twilioOf(config)).toEqual({
      accountSid: SANDBOX.twilio.accountSid,
      authToken: SANDBOX.twilio.authToken,
      workspaceSid: SANDBOX.twilio.workspaceSid,
      apiBaseUrl: 'http://127.0.0.1:4030',
      mediaStreamUrl: 'ws://127.0.0.1:4020/twilio/ws',
    });
    expect(text).toMatch(/# Contact-center platform the kit serves/);
  });

  it('sandbox ports move the stand-in and the consumer', () => {
    const text = renderExample(
      exampleValues({ sandbox: true, platform: 'twilio', twilioPort: 5130, daspeakPort: 5120 }),
    );
    const t = twilioOf(parseConfigText(text, 'kit.yaml', { env: {} }).config);
    expect(t.apiBaseUrl).toBe('http://127.0.0.1:5130');
    expect(t.mediaStreamUrl).toBe('ws://127.0.0.1:5120/twilio/ws');
  });

  it('init --platform twilio for a real account refers to the environment for every secret', () => {
    const values = exampleValues({ platform: 'twilio' });
    const text = renderExample(values);
    expect(text).toMatch(/authToken: \$\{env:TWILIO_AUTH_TOKEN\}/);
    expect(text).not.toMatch(/^genesys:/m);
    const env = {
      ...TENV,
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_WORKSPACE_SID: WORKSPACE,
      DASPEAK_TWILIO_STREAM_URL: 'wss://dp.example.com/twilio',
      DASPEAK_CLIENT_ID: 'c',
      DASPEAK_MODEL_HASH: 'm',
      DASPEAK_BACKEND_URL: 'https://vb.example.com/',
    };
    // No DASPEAK_AUDIOHOOK_* in that environment: a Twilio config has no Audiohook section.
    expect(text).not.toMatch(/AUDIOHOOK/);
    const { config } = parseConfigText(text, 'kit.yaml', { env });
    expect(twilioOf(config).accountSid).toBe(ACCOUNT);
    expect(twilioOf(config).apiBaseUrl).toBeUndefined();
  });

  it('the sandbox SIDs have the form Twilio gives them', () => {
    expect(SANDBOX.twilio.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(SANDBOX.twilio.workspaceSid).toMatch(/^WS[0-9a-f]{32}$/);
    for (const w of SANDBOX.twilio.workers) expect(w.sid).toMatch(/^WK[0-9a-f]{32}$/);
    expect(SANDBOX.twilioPort).toBe(4030);
  });
});
