import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sliceFrames } from '../../../src/audio/index.js';
import { connectAudiohook } from '../../../src/audiohook/client/index.js';
import type { KitConfig } from '../../../src/config/schema.js';
import { createTokenProvider } from '../../../src/daspeak/index.js';
import { runDataAction, type DataActionRun } from '../../../src/flows/executor/index.js';
import { credentialKind } from '../../../src/genesys/resources/credential/kind.js';
import { renderDataActions, type DataActionDefinition } from '../../../src/genesys/resources/index.js';
import { startDaspeakSandbox, type DaspeakSandbox } from '../../../src/sandbox/daspeak/index.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { callAudioFromWav, mediaBytes } from '../../../src/simulate/audio.js';
import { openStore } from '../../../src/store/index.js';
import type { GenesysSandbox } from '../../../src/sandbox/genesys/index.js';
import { workspace, type Workspace } from '../../provision/helpers.js';

export const VOICES = fileURLToPath(new URL('../../fixtures/voices/', import.meta.url));

export interface Services {
  daspeak: DaspeakSandbox;
  backend: RunningServer;
  /** The kit config pointing at both (backend.publicUrl = the running backend). */
  config: KitConfig;
  ws: Workspace;
  stop(): Promise<void>;
}

/**
 * The das-Peak emulator and the kit's backend (sqlite in `dir`), and a kit config pointing at them.
 * `genesys` is the sandbox org (or any URL when no org is involved).
 */
export async function startServices(
  dir: string,
  genesys: Pick<GenesysSandbox, 'url'>,
  options: { widgetDir?: string } = {},
): Promise<Services> {
  const daspeak = await startDaspeakSandbox({ port: 0 });
  const stops: (() => Promise<void>)[] = [() => daspeak.stop()];
  try {
    const dp = daspeak.daspeakConfig();
    const base = workspace(genesys as GenesysSandbox, dir, (v) => {
      const d = v.daspeak as Record<string, unknown>;
      Object.assign(d, { rest: dp.rest, socketio: dp.socketio, auth: dp.auth, audiohook: dp.audiohook });
      (v.backend as Record<string, unknown>).databaseUrl = `sqlite:${join(dir, 'backend.sqlite')}`;
    });
    const store = await openStore(base.config.backend);
    stops.unshift(() => store.close());
    const backend = await startServer(base.config, {
      host: '127.0.0.1',
      port: 0,
      store,
      tokenProvider: createTokenProvider(base.config.daspeak.auth),
      ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}),
    });
    stops.unshift(() => backend.close());
    // The data actions call the backend where it really listens.
    const ws = workspace(genesys as GenesysSandbox, dir, (v) => {
      const d = v.daspeak as Record<string, unknown>;
      Object.assign(d, { rest: dp.rest, socketio: dp.socketio, auth: dp.auth, audiohook: dp.audiohook });
      Object.assign(v.backend as Record<string, unknown>, {
        databaseUrl: `sqlite:${join(dir, 'backend.sqlite')}`,
        publicUrl: backend.url,
      });
    });
    return {
      daspeak,
      backend,
      config: ws.config,
      ws,
      stop: async () => {
        for (const s of stops) await s();
      },
    };
  } catch (err) {
    for (const s of stops) await s();
    throw err;
  }
}

const actionsByConfig = new WeakMap<KitConfig, Record<string, DataActionDefinition>>();

/** The kit's data actions for a config, by template key (rendered and checked once per config). */
export function kitActions(config: KitConfig): Record<string, DataActionDefinition> {
  let found = actionsByConfig.get(config);
  if (!found) {
    found = Object.fromEntries(renderDataActions(config).map((a) => [a.key, a.definition]));
    actionsByConfig.set(config, found);
  }
  return found;
}

/** The fields the kit writes to the Web Services Data Actions credential (`${credentials.*}`). */
export function actionCredentials(config: KitConfig): Record<string, string> {
  const cred = credentialKind.desired(config).find((d) => d.spec.type === 'userDefined')!;
  return cred.spec.fields as Record<string, string>;
}

/** Runs one of the kit's actions as Genesys would, with the kit's credential. */
export function run(
  config: KitConfig,
  key: string,
  input: Record<string, unknown>,
  credentials: Record<string, string> = actionCredentials(config),
): Promise<DataActionRun> {
  const definition = kitActions(config)[key];
  if (!definition) throw new Error(`no data action ${key}`);
  return runDataAction({ ...definition, integrationId: 'offline' }, input, {
    credentials,
    credentialType: 'userDefined',
    maxTimeoutMs: 10_000,
  });
}

/** Output of a run that must succeed (fails the test with the executor's message otherwise). */
export async function output(
  config: KitConfig,
  key: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { outcome } = await run(config, key, input);
  if (!outcome.ok) throw new Error(`${key} failed at ${outcome.step}: ${outcome.message}`);
  return outcome.output as Record<string, unknown>;
}

/**
 * A call's audio on the line: Genesys opens Audiohook for the conversation and streams a voice file.
 * The caller then holds on (the flow reads the result meanwhile); `hangUp` ends the call.
 */
export async function speak(
  config: KitConfig,
  conversationId: string,
  voice: string,
): Promise<{ hangUp: () => Promise<void> }> {
  const session = await connectAudiohook({
    uri: config.daspeak.audiohook!.connectionUri,
    apiKey: config.daspeak.audiohook!.apiKey,
    clientSecret: config.daspeak.audiohook!.clientSecret,
    organizationId: '7f3f5e2a-1c4b-4d7e-9a61-0b1c2d3e4f50',
    conversationId,
    participant: { ani: 'tel:+34600000001', aniName: '', dnis: '' },
  });
  const media = session.selectedMedia!;
  const audio = callAudioFromWav(readFileSync(join(VOICES, voice)), voice);
  const frames = sliceFrames(
    mediaBytes(audio, media),
    { sampleRate: 8000, channels: media.channels.length, bytesPerSample: 1 },
    200,
  );
  await session.stream(frames);
  return {
    hangUp: async () => {
      await session.close('end').catch(() => undefined);
    },
  };
}

const TERMINAL = new Set(['success', 'fail-score', 'fail-spoof', 'error-consumer-not-ready', 'error-parameters', 'error-audio', 'error-das-Peak']);

/** Polls the session status as the flows do (register: through the backend; verify: das-Peak) until it ends. */
export async function pollStatus(
  config: KitConfig,
  operation: 'register' | 'verify',
  sessionId: string,
): Promise<Record<string, unknown>> {
  const key = operation === 'register' ? 'backend-get-registration-status' : 'daspeak-get-session-status';
  for (let i = 0; i < 400; i++) {
    const status = await output(config, key, { sessionId });
    if (TERMINAL.has(status.status as string)) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`session ${sessionId} did not end`);
}
