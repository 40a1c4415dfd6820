import { SANDBOX } from '../../src/config/defaults.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfigText } from '../../src/config/index.js';
import { useTmpDir } from '../helpers/tmp.js';
import { genesysOf } from '../../src/config/platform.js';
import { ENV, VALID, issuesOf, onlyIssue } from './valid-config.js';

describe('config loader: a valid file', () => {
  it('loads, resolves ${env:…} and applies schema defaults', () => {
    const { config, warnings } = parseConfigText(VALID, 'kit.yaml', { env: ENV });
    expect(genesysOf(config).clientSecret).toBe('gen-secret');
    expect(config.backend.apiKeys).toEqual(['a'.repeat(32)]);
    expect(config.daspeak.socketio.path).toBe('/socket.io');
    expect(config.daspeak.socketio.registerNamespace).toBe('/socket.io/register');
    expect(config.daspeak.authenticityThreshold).toBe(0.8);
    expect(config.daspeak.audioTotalDuration).toEqual({ register: 5, verify: 3 });
    expect(config.backend.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.backend.databaseUrl).toBe('sqlite:./daspeak-genesys.db');
    expect(config.widget).toEqual({
      name: 'Voice Biometrics',
      queues: [],
      groups: [],
      signalling: 'relay',
      consentWordingVersion: '1',
    });
    expect(config.flows.languages).toEqual(['en-us']);
    // The Audiohook API key is a secret written in the file: advice, not an error.
    expect(warnings.map((w) => w.path)).toEqual(['daspeak.audiohook.apiKey']);
    expect(warnings[0]!.line).toBe(18);
  });

  it('embeds env references inside longer strings', () => {
    const text = VALID.replace('publicUrl: https://vb.acme.example/', 'publicUrl: https://${env:HOST}/vb/');
    const { config } = parseConfigText(text, 'kit.yaml', { env: { ...ENV, HOST: 'vb.acme.example' } });
    expect(config.backend.publicUrl).toBe('https://vb.acme.example/vb/');
  });

  it('with skipEnv leaves references unresolved and checks everything else', () => {
    const { config } = parseConfigText(VALID, 'kit.yaml', { env: {}, skipEnv: true });
    expect(genesysOf(config).clientSecret).toBe('${env:GENESYS_CLIENT_SECRET}');
    const bad = VALID.replace('prefix: acme', 'prefix: 9acme');
    expect(() => parseConfigText(bad, 'kit.yaml', { env: {}, skipEnv: true })).toThrow(/prefix/);
  });
});

describe('config loader: each kind of bad config gets one precise message', () => {
  it('missing required key: names the key, its path and the line of its parent', () => {
    const issue = onlyIssue(VALID.replace('    clientId: acme-client\n', ''));
    expect(issue.code).toBe('config.missing_key');
    expect(issue.path).toBe('daspeak.auth.clientId');
    expect(issue.message).toBe('missing required key "clientId"');
    expect(issue.line).toBe(12);
    expect(issue.hint).toMatch(/add clientId/);
  });

  it('missing secret key: the hint suggests the env reference', () => {
    const issue = onlyIssue(VALID.replace('  clientSecret: ${env:GENESYS_CLIENT_SECRET}\n', ''));
    expect(issue.path).toBe('genesys.clientSecret');
    expect(issue.hint).toBe('add clientSecret: ${env:GENESYS_CLIENT_SECRET}');
  });

  it('wrong type: says what was expected and what was found, with the line', () => {
    const text = VALID.replace('  modelHash: model-2024', '  modelHash: [a, b]');
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ code: 'config.wrong_type', path: 'daspeak.modelHash', line: 20 });
    expect(issue.message).toBe('must be a string, not a list');
  });

  it('wrong type of a number that should be a string: hint to quote it', () => {
    const issue = onlyIssue(VALID.replace('clientId: acme-client', 'clientId: 12345'));
    expect(issue.message).toBe('must be a string, not number 12345');
    expect(issue.hint).toBe('put the value in quotes');
  });

  it('value out of range: gives the allowed range', () => {
    const text = VALID.replace(
      '  modelHash: model-2024',
      '  modelHash: model-2024\n  authenticityThreshold: 1.5',
    );
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({
      code: 'config.out_of_range',
      path: 'daspeak.authenticityThreshold',
      line: 21,
    });
    expect(issue.message).toBe('must be between 0 and 1, not number 1.5');
  });

  it('unknown key: suggests the close real key', () => {
    const issue = onlyIssue(
      VALID.replace('  modelHash: model-2024', '  modelHash: model-2024\n  modelhsh: x'),
    );
    expect(issue).toMatchObject({
      code: 'config.unknown_key',
      path: 'daspeak.modelhsh',
      message: 'unknown key "modelhsh"',
      hint: 'did you mean "modelHash"?',
      line: 21,
      column: 3,
    });
  });

  it('a misspelt required key: both the unknown spelling and the missing key are reported', () => {
    const list = issuesOf(VALID.replace('  clientId: 0b1c', '  clinetId: 0b1c'));
    expect(list.map((i) => [i.code, i.path])).toEqual([
      ['config.missing_key', 'genesys.clientId'],
      ['config.unknown_key', 'genesys.clinetId'],
    ]);
    expect(list[1]!.hint).toBe('did you mean "clientId"?');
  });

  it('unknown key far from any real one: lists the allowed keys', () => {
    const [issue] = issuesOf(VALID.replace('prefix: acme', 'prefix: acme\nzzz: 1'));
    expect(issue!.hint).toMatch(/^allowed keys here: prefix, deploymentId, platform, genesys, twilio/);
  });

  it('misspelt enum value: did you mean', () => {
    const issue = onlyIssue(VALID.replace('region: mypurecloud.ie', 'region: mypurecloud.iee'));
    expect(issue).toMatchObject({ code: 'config.not_allowed', path: 'genesys.region', line: 3 });
    expect(issue.hint).toBe('did you mean "mypurecloud.ie"?');
  });

  it('unset env variable: names the variable and the key', () => {
    const env: Record<string, string> = { ...ENV };
    delete env.DASPEAK_API_KEY;
    const issue = onlyIssue(VALID, env);
    expect(issue).toMatchObject({
      code: 'config.env_unset',
      path: 'daspeak.rest.apiKey',
      message: 'environment variable DASPEAK_API_KEY is not set',
      line: 9,
    });
    expect(issue.hint).toMatch(/export DASPEAK_API_KEY=/);
  });

  it('malformed env reference', () => {
    const issue = onlyIssue(VALID.replace('${env:DASPEAK_API_KEY}', '${env:1BAD}'));
    expect(issue).toMatchObject({ code: 'config.env_syntax', path: 'daspeak.rest.apiKey' });
  });

  it('YAML syntax error: line and column', () => {
    const issue = issuesOf('genesys:\n  region: "mypurecloud.ie\n  clientId: x\n')[0]!;
    expect(issue.code).toBe('config.yaml_syntax');
    expect(issue.line).toBeGreaterThanOrEqual(2);
    expect(issue.message).toMatch(/^YAML syntax error/);
  });

  it('duplicate keys are a YAML error rather than a silent override', () => {
    const issue = issuesOf(VALID.replace('prefix: acme', 'prefix: acme\nprefix: other'))[0]!;
    expect(issue.code).toBe('config.yaml_syntax');
    expect(issue.line).toBe(2);
  });

  it('empty file (or only comments)', () => {
    for (const text of ['', '   \n', '# nothing here\n']) {
      const issue = onlyIssue(text);
      expect(issue.code).toBe('config.empty');
      expect(issue.hint).toMatch(/daspeak-genesys init/);
    }
  });

  it('a file that is not a mapping', () => {
    expect(onlyIssue('- a\n- b\n').code).toBe('config.not_a_mapping');
  });

  it('bad format: URL and key patterns with a hint how to write them', () => {
    const issue = onlyIssue(
      VALID.replace('publicUrl: https://vb.acme.example/', 'publicUrl: vb.acme.example'),
    );
    expect(issue).toMatchObject({ code: 'config.bad_format', path: 'backend.publicUrl', line: 22 });
    expect(issue.hint).toBe('write a full URL starting with http:// or https://');
    const key = onlyIssue(VALID, { ...ENV, DASPEAK_STORE_KEY: 'short' });
    expect(key.path).toBe('backend.encryptionKeys[0].key');
    expect(key.message).toBe('a value (hidden: secret) is not in the expected form');
    expect(key.message).not.toContain('short');
    expect(key.hint).toMatch(/openssl rand -base64 32/);
  });

  it('reports every problem, not only the first', () => {
    const text = VALID.replace('region: mypurecloud.ie', 'region: nowhere').replace(
      'modelHash: model-2024',
      'modelHash: 7',
    );
    expect(issuesOf(text).map((i) => i.path)).toEqual(['genesys.region', 'daspeak.modelHash']);
  });
});

describe('config loader: rules across keys', () => {
  it('region and baseUrl together are a conflict', () => {
    const issue = onlyIssue(
      VALID.replace('  region: mypurecloud.ie', '  region: mypurecloud.ie\n  baseUrl: http://127.0.0.1:4010'),
    );
    expect(issue).toMatchObject({ code: 'config.conflict', path: 'genesys.baseUrl', line: 4 });
  });

  it('neither region nor baseUrl', () => {
    expect(onlyIssue(VALID.replace('  region: mypurecloud.ie\n', '')).path).toBe('genesys.region');
  });

  it('plain http to a remote backend is refused; loopback is fine', () => {
    const issue = onlyIssue(VALID.replace('https://vb.acme.example/', 'http://vb.acme.example/'));
    expect(issue).toMatchObject({ code: 'config.insecure_url', path: 'backend.publicUrl' });
    expect(() =>
      parseConfigText(VALID.replace('https://vb.acme.example/', 'http://127.0.0.1:8080/'), 'kit.yaml', {
        env: ENV,
      }),
    ).not.toThrow();
  });

  it('a real region keeping a sandbox secret is an error at each place it appears; a sandbox org may keep them', () => {
    const issue = onlyIssue(VALID, { ...ENV, DASPEAK_CLIENT_SECRET: SANDBOX.daspeak.clientSecret });
    expect(issue).toMatchObject({
      code: 'config.sandbox_secret',
      path: 'daspeak.auth.clientSecret',
      message: expect.stringContaining('genesys.region is mypurecloud.ie') as string,
    });
    const key = issuesOf(VALID, { ...ENV, DASPEAK_STORE_KEY: SANDBOX.backend.encryptionKey });
    expect(key.map((i) => [i.code, i.path, i.hint])).toEqual([
      [
        'config.sandbox_secret',
        'backend.encryptionKeys[0].key',
        'generate a key with: openssl rand -base64 32',
      ],
    ]);
    // The local sandbox (baseUrl on this machine, http public URL) is what those values are for.
    const sandbox = VALID.replace('  region: mypurecloud.ie', '  baseUrl: http://127.0.0.1:4010').replace(
      'https://vb.acme.example/',
      'http://127.0.0.1:8080/',
    );
    expect(() =>
      parseConfigText(sandbox, 'kit.yaml', {
        env: { ...ENV, DASPEAK_CLIENT_SECRET: SANDBOX.daspeak.clientSecret },
      }),
    ).not.toThrow();
  });

  it('Audiohook client secret must be base64', () => {
    const issue = onlyIssue(VALID, { ...ENV, DASPEAK_AUDIOHOOK_CLIENT_SECRET: 'not base64!' });
    expect(issue.path).toBe('daspeak.audiohook.clientSecret');
  });

  it('duplicate encryption key ids', () => {
    const text = VALID.replace(
      '      key: ${env:DASPEAK_STORE_KEY}\n',
      '      key: ${env:DASPEAK_STORE_KEY}\n    - id: k1\n      key: ${env:DASPEAK_STORE_KEY}\n',
    );
    expect(onlyIssue(text)).toMatchObject({ code: 'config.duplicate', path: 'backend.encryptionKeys[1].id' });
  });

  it('a language without prompts, and a default language not listed', () => {
    const text = `${VALID}flows:\n  languages: [en-us, es-es]\n  defaultLanguage: fr-fr\n`;
    expect(issuesOf(text).map((i) => i.code)).toEqual(['config.not_allowed', 'config.missing_prompts']);
  });
});

describe('config loader: files', () => {
  const tmp = useTmpDir();

  it('file not found: says so and how to create one', () => {
    const file = join(tmp(), 'missing.yaml');
    let error: unknown;
    try {
      loadConfigFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.code).toBe('config.not_found');
    expect(e.lines()[0]).toBe(
      `${file} config file not found (hint: create one with \`daspeak-genesys init\`, or pass --config <file>)`,
    );
  });

  it('a directory instead of a file', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'conf.yaml'));
    expect(() => loadConfigFile(join(dir, 'conf.yaml'))).toThrow(/is a directory/);
  });

  it('formats each issue as file:line:col path: message (hint)', () => {
    const file = join(tmp(), 'kit.yaml');
    writeFileSync(file, VALID.replace('region: mypurecloud.ie', 'region: mypurecloud.iee'));
    let error: ConfigError | undefined;
    try {
      loadConfigFile(file, { env: ENV });
    } catch (e) {
      error = e as ConfigError;
    }
    const lines = error!.lines();
    expect(lines).toHaveLength(1);
    expect(
      lines[0]!.startsWith(`${file}:3:3 genesys.region: must be one of mypurecloud.com, mypurecloud.ie,`),
    ).toBe(true);
    expect(lines[0]!.endsWith('not "mypurecloud.iee" (hint: did you mean "mypurecloud.ie"?)')).toBe(true);
  });
});
