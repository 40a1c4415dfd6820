import type { VoiceCatalog } from './genesys/index.js';
import { TAKES, voiceAudio, voiceNames } from '../simulate/voices.js';

/**
 * The kit's test voices (the recorded speakers of a source checkout and the synthetic ones) as the
 * sandbox org's voice catalogue: every speaker with each take, `alice-register`, `alice-verify-1`, …
 * Register and verify takes hold different sentences, so registering with one take and verifying
 * with another is a live caller, and the same take twice is a replay.
 */
export function kitVoiceCatalog(): VoiceCatalog {
  const names = () =>
    voiceNames().flatMap((speaker) =>
      TAKES.map((take) => ({
        name: `${speaker}-${take}`,
        label: `${speaker} (${take === 'register' ? 'register take' : `verify take ${take.slice(-1)}`})`,
      })),
    );
  return {
    list: names,
    audio: (name) => voiceAudio(name, 'register'),
  };
}
