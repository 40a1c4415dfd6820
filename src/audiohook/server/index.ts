export type * from './session.js';
export { authenticateRequest, readAudiohookHeaders } from './authenticator.js';
export type { AudiohookAuthOptions, CredentialResolver } from './authenticator.js';
export { channelSamples, selectCallerMedia } from './media.js';
export { AUDIOHOOK_SUBPROTOCOL, createAudiohookServer } from './server.js';
export type {
  AudiohookServer,
  AudiohookServerLimits,
  AudiohookServerOptions,
  AudiohookServerTimeouts,
} from './server.js';
export { listenAudiohook } from './listen.js';
export type { ListenAudiohookOptions, ListeningAudiohookServer } from './listen.js';
