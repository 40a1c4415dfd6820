/**
 * The files a simulation reads and writes: the caller's audio, the credential to verify against, the
 * credential a registration returns. Each failure is one line that names the file and what to do.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { Operation } from '../daspeak/contract.js';
import { isKitError } from '../errors.js';
import { callAudioFromWav, type CallAudio } from './audio.js';
import { SimulateError } from './errors.js';
import type { AudioChoice, CredentialChoice } from './options.js';
import { voiceAudio } from './voices.js';

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return err instanceof Error ? err.message : String(err);
}

function readInput(path: string, what: string, code: string, hint: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SimulateError(code, `cannot read the ${what} ${path}: ${reason(err)}`, { hint });
  }
}

/** The call audio of `--wav` or `--voice`. */
export function loadCallAudio(choice: AudioChoice, operation: Operation, voicesDir?: string): CallAudio {
  if (choice.kind === 'voice') return voiceAudio(choice.name, operation, voicesDir);
  const bytes = readInput(
    choice.path,
    'WAV file',
    'simulate.wav_unreadable',
    'check the --wav path, or use --voice <name> for a built-in voice',
  );
  try {
    return callAudioFromWav(bytes, choice.path);
  } catch (err) {
    if (!isKitError(err)) throw err;
    // The audio library names the problem; say which file it was.
    throw new SimulateError(err.code, `${choice.path}: ${err.message}`, {
      ...(err.hint ? { hint: err.hint } : {}),
      cause: err,
    });
  }
}

/** The credential of `--credential` or `--credential-file` (surrounding whitespace ignored). */
export function loadCredential(choice: CredentialChoice): string {
  if (choice.kind === 'inline') return choice.value;
  const text = readInput(
    choice.path,
    'credential file',
    'simulate.credential_unreadable',
    'write one with --operation register --credential-out <file>',
  )
    .toString('utf8')
    .trim();
  if (!BASE64.test(text)) {
    throw new SimulateError(
      'simulate.credential_invalid',
      `the credential file ${choice.path} does not hold the base64 text of a credential`,
      { hint: 'write one with --operation register --credential-out <file>' },
    );
  }
  return text;
}

/** Saves a registration's credential for a later `--credential-file`; owner-only, as it is a secret. */
export function saveCredential(path: string, credential: string): void {
  try {
    writeFileSync(path, `${credential}\n`, { mode: 0o600 });
    chmodSync(path, 0o600); // an existing file keeps its mode through writeFileSync
  } catch (err) {
    throw new SimulateError(
      'simulate.credential_unwritable',
      `cannot write the credential to ${path}: ${reason(err)}`,
      { hint: 'check the --credential-out path' },
    );
  }
}
