import { describe, expect, it } from 'vitest';
import { renderVelocity, validateActionDefinition } from '../../../src/flows/executor/index.js';
import { dataActionNames, renderDataActions, templateKeys } from '../../../src/genesys/resources/index.js';
import { contractProblems } from '../../../src/sandbox/genesys/actions/contract.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { workspace } from '../../provision/helpers.js';

/* The kit's data-action templates, rendered for a config: shape, escaping, and what config values can do. */

const tmp = useTmpDir();
const sandboxOrg = { url: 'http://127.0.0.1:4010' } as Parameters<typeof workspace>[0];
const configWith = (patch: (v: Record<string, Record<string, unknown>>) => void = () => undefined) =>
  workspace(sandboxOrg, tmp(), (v) => patch(v as Record<string, Record<string, unknown>>)).config;

const KEYS = [
  'backend-delete-consent',
  'backend-delete-credential',
  'backend-get-consent',
  'backend-get-registration-status',
  'backend-start-verification',
  'backend-store-consent',
  'backend-store-registration',
  'daspeak-create-audio-settings',
  'daspeak-create-register-session',
  'daspeak-get-session-status',
];

describe('data-action templates', () => {
  it('render every kit action, named with the prefix, in the kit category, valid for Genesys', () => {
    expect(templateKeys()).toEqual(KEYS);
    const config = configWith();
    const actions = renderDataActions(config);
    expect(actions.map((a) => a.key)).toEqual(KEYS);
    expect(dataActionNames(config)).toMatchObject({
      'daspeak-create-audio-settings': 'daspeak Create Audio Settings',
      'daspeak-get-session-status': 'daspeak Get Session Status',
      'backend-store-registration': 'daspeak Store Registration',
      'backend-start-verification': 'daspeak Start Verification',
      'backend-delete-consent': 'daspeak Delete Consent',
    });
    for (const { definition } of actions) {
      // No action carries a voice credential, in or out: the backend keeps it (docs/flows.md).
      expect(JSON.stringify(definition.contract)).not.toMatch(/"credential"/);
      expect(JSON.stringify(definition.config.response)).not.toMatch(/"credential"|result\.credential/);
      expect(definition.secure).toBe(false);
      expect(definition.name.startsWith('daspeak ')).toBe(true);
      expect(definition.category).toBe('daspeak Data Actions');
      expect(validateActionDefinition({ ...definition, integrationId: 'x' })).toEqual([]);
      expect(contractProblems(definition.contract)).toEqual([]);
    }
  });

  it('escape every input in URLs, headers and bodies, and map every output', () => {
    for (const { key, definition } of renderDataActions(configWith())) {
      const request = definition.config.request as Record<string, unknown>;
      const texts = [
        request.requestUrlTemplate as string,
        (request.requestTemplate as string | undefined) ?? '',
        ...Object.values((request.headers as Record<string, string> | undefined) ?? {}),
      ];
      const inputs = Object.keys(
        (definition.contract.input.inputSchema.properties as Record<string, unknown> | undefined) ?? {},
      );
      for (const text of texts) {
        for (const m of text.matchAll(/\$!?\{input\.([A-Za-z0-9_]+)\}/g)) {
          const before = text.slice(0, m.index);
          expect(
            /\$esc\.(jsonString|uriEncode)\($/.test(before),
            `${key}: \${input.${m[1]}} is used unescaped in "${text}"`,
          ).toBe(true);
          expect(inputs).toContain(m[1]);
        }
        // Nothing reads the raw request or an input through another door.
        expect(text).not.toMatch(/rawRequest/);
      }
      const response = definition.config.response as { translationMap: Record<string, string>; successTemplate: string };
      const outputs = Object.keys(definition.contract.output.successSchema.properties as Record<string, unknown>);
      expect(Object.keys(response.translationMap).sort()).toEqual([...outputs].sort());
      for (const o of outputs) expect(response.successTemplate).toContain(`\${${o}}`);
      // Inputs are flat: one level of simple types.
      for (const p of Object.values((definition.contract.input.inputSchema.properties ?? {}) as Record<string, { type: string }>)) {
        expect(['string', 'number', 'integer', 'boolean']).toContain(p.type);
      }
    }
  });

  it('a hostile input stays a value: the body is valid JSON and the URL a single path segment', () => {
    const actions = Object.fromEntries(renderDataActions(configWith()).map((a) => [a.key, a.definition]));
    const evil = 'x", "model_hash": "evil", "y": "\\u0000\n$rawResult #set($a = 1)';
    const register = actions['daspeak-create-register-session']!.config.request as { requestTemplate: string };
    const body = renderVelocity(register.requestTemplate, { input: { audioSettingsId: evil, conversationId: evil } });
    expect(body.ok).toBe(true);
    const parsed = JSON.parse(body.ok ? body.text : '') as Record<string, unknown>;
    expect(parsed.call_id).toBe(evil);
    expect(parsed.audio_settings_id).toBe(evil);
    expect(parsed.model_hash).toBe('sandbox-model-v1');
    const status = actions['daspeak-get-session-status']!.config.request as { requestUrlTemplate: string };
    const url = renderVelocity(status.requestUrlTemplate, { input: { sessionId: '../../admin?x=1' } });
    expect(url.ok && url.text).toMatch(/\/v1\/verify_session\/\.\.%2F\.\.%2Fadmin%3Fx%3D1$/);
    const registration = actions['backend-store-registration']!.config.request as { requestUrlTemplate: string; requestTemplate: string };
    const stored = renderVelocity(registration.requestTemplate, { input: { sessionId: evil } });
    expect(JSON.parse(stored.ok ? stored.text : '')).toEqual({ sessionId: evil });
    const path = renderVelocity(registration.requestUrlTemplate, { input: { ani: '+34/../x', conversationId: 'c&d' } });
    expect(path.ok && path.text).toMatch(/\/credentials\/%2B34%2F\.\.%2Fx\/registration\?conversationId=c%26d$/);
  });

  it('config values are escaped for JSON; what Velocity would run is refused with the key to fix', () => {
    const quoted = configWith((v) => {
      v.daspeak!.modelHash = 'model "v2" \\ back';
    });
    const register = renderDataActions(quoted).find((a) => a.key === 'daspeak-create-register-session')!;
    const body = renderVelocity((register.definition.config.request as { requestTemplate: string }).requestTemplate, {
      input: { audioSettingsId: 'a', conversationId: 'c' },
    });
    expect(JSON.parse(body.ok ? body.text : '')).toMatchObject({ model_hash: 'model "v2" \\ back' });

    const dollar = configWith((v) => {
      (v.daspeak!.rest as Record<string, unknown>).baseUrl = 'https://api.example.com/$secret';
    });
    expect(() => renderDataActions(dollar)).toThrow(
      expect.objectContaining({ code: 'provision.template_value', message: expect.stringMatching(/daspeak\.rest\.baseUrl contains "\$" or "#"/) as string }),
    );
    const hash = configWith((v) => {
      v.daspeak!.modelHash = 'model#1';
    });
    expect(() => renderDataActions(hash)).toThrow(/daspeak\.modelHash contains/);
  });

  it('URL bases lose their trailing slash so paths are not doubled', () => {
    const config = configWith((v) => {
      (v.daspeak!.rest as Record<string, unknown>).baseUrl = 'https://api.example.com/dpsrest/';
      v.backend!.publicUrl = 'https://vb.example.com/base/';
      // An https public URL may not keep the sandbox's published secrets (config.sandbox_secret).
      v.genesys!.clientSecret = 'a-real-org-client-secret-0123456789';
      (v.daspeak!.rest as Record<string, unknown>).apiKey = 'real-rest-api-key-0123456789';
      (v.daspeak!.auth as Record<string, unknown>).clientSecret = 'real-sio-secret-0123456789';
      (v.daspeak!.audiohook as Record<string, unknown>).apiKey = 'real-audiohook-key-0123';
      (v.daspeak!.audiohook as Record<string, unknown>).clientSecret = Buffer.alloc(32, 9).toString('base64');
      v.backend!.apiKeys = ['a-real-backend-api-key-0123456789'];
      v.backend!.encryptionKeys = [{ id: 'k1', key: Buffer.alloc(32, 7).toString('base64') }];
    });
    const byKey = Object.fromEntries(renderDataActions(config).map((a) => [a.key, a.definition]));
    expect((byKey['daspeak-create-audio-settings']!.config.request as { requestUrlTemplate: string }).requestUrlTemplate).toBe(
      'https://api.example.com/dpsrest/v1/audio_settings',
    );
    expect((byKey['backend-get-consent']!.config.request as { requestUrlTemplate: string }).requestUrlTemplate).toMatch(
      /^https:\/\/vb\.example\.com\/base\/api\/v1\/ivr\/consent\//,
    );
  });
});
