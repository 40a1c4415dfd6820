/** Shared by the config and CLI tests (a module of its own, so importing it runs no tests). */
import { expect } from 'vitest';
import { ConfigError, parseConfigText, type ConfigIssue } from '../../src/config/index.js';

/** A complete, valid config for a real org; tests break one thing at a time. */
export const VALID = `prefix: acme
genesys:
  region: mypurecloud.ie
  clientId: 0b1c2d3e-aaaa-bbbb-cccc-000000000001
  clientSecret: \${env:GENESYS_CLIENT_SECRET}
daspeak:
  rest:
    baseUrl: https://api.eu.veri-das.com/dpsrest
    apiKey: \${env:DASPEAK_API_KEY}
  socketio:
    url: https://api.eu.veri-das.com
  auth:
    tokenUrl: https://api.eu.veri-das.com/socket.io/oauth2/token
    clientId: acme-client
    clientSecret: \${env:DASPEAK_CLIENT_SECRET}
  audiohook:
    connectionUri: wss://audiohook.eu.veri-das.com/genesys
    apiKey: acmeAudiohookKey
    clientSecret: \${env:DASPEAK_AUDIOHOOK_CLIENT_SECRET}
  modelHash: model-2024
backend:
  publicUrl: https://vb.acme.example/
  encryptionKeys:
    - id: k1
      key: \${env:DASPEAK_STORE_KEY}
  apiKeys:
    - \${env:DASPEAK_BACKEND_API_KEY}
`;

export const ENV = {
  GENESYS_CLIENT_SECRET: 'gen-secret',
  DASPEAK_API_KEY: 'rest-key',
  DASPEAK_CLIENT_SECRET: 'sio-secret',
  DASPEAK_AUDIOHOOK_CLIENT_SECRET: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=',
  DASPEAK_STORE_KEY: Buffer.alloc(32, 7).toString('base64'),
  DASPEAK_BACKEND_API_KEY: 'a'.repeat(32),
};

/** The issues of a config that must be rejected (the test fails if it is accepted). */
export function issuesOf(text: string, env: Record<string, string> = ENV): ConfigIssue[] {
  try {
    parseConfigText(text, 'kit.yaml', { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the config to be rejected');
}

/** The one issue of a config that must be rejected for exactly one reason. */
export function onlyIssue(text: string, env: Record<string, string> = ENV): ConfigIssue {
  const list = issuesOf(text, env);
  expect(list).toHaveLength(1);
  return list[0]!;
}
