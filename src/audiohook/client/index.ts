export type * from './session.js';
export {
  DEFAULT_CLIENT_TIMEOUTS,
  DEFAULT_MAX_FRAME_BYTES,
  connectAudiohook,
  probeAudiohook,
  resultOf,
  runAudiohookSession,
} from './connect.js';
