import { badOption } from './errors.js';
import type { SimulateOptions } from './options.js';
import { parseVoiceName } from './voices.js';

/**
 * The caller of a run that registers on one call and verifies on the next (`--flow`, `--platform
 * twilio`) is a speaker, played from its register take and then a verify take: a WAV file or a named
 * take would be the same recording twice, which das-Peak rightly calls a replay. `mode` names the
 * option in the error ("--flow", "--platform twilio").
 */
export function requireSpeakerVoice(options: SimulateOptions, mode: string): void {
  if (options.audio.kind === 'wav') {
    throw badOption(
      `--wav cannot be used with ${mode}: the same recording twice would be a replay`,
      'give --voice <speaker> (its register take, then a verify take)',
    );
  }
  if (options.audio.kind === 'voice') {
    const { speaker } = parseVoiceName(options.audio.name, 'register');
    if (speaker !== options.audio.name.trim().toLowerCase()) {
      throw badOption(
        `--voice ${options.audio.name} names a take; ${mode} plays the speaker's register take, then a verify take`,
        `give the speaker only: --voice ${speaker}`,
      );
    }
  }
}
