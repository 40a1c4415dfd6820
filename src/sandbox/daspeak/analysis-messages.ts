import type { Voiceprint } from './voiceprint/index.js';

/** Main thread → analysis worker. */
export type ToWorker =
  | { type: 'open'; id: number }
  | { type: 'push'; id: number; samples: Int16Array }
  | { type: 'finish'; id: number }
  | { type: 'drop'; id: number };

/** Analysis worker → main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'voiceprint'; id: number; voiceprint: Voiceprint }
  | { type: 'failed'; id: number; code: string; message: string };
