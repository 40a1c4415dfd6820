/**
 * The files a simulation reads and writes: the caller's audio, the credential to verify against, the
 * credential a registration returns. Each failure is one line that names the file and what to do.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
    // The audio library names the problem; say which file it was, and what a usable one is.
    const hint =
      err.hint ??
      (err.code === 'audio.wav_invalid' || err.code === 'audio.wav_truncated'
        ? 'give a RIFF/WAVE file, 16-bit PCM or µ-law, mono or stereo, 8 to 48 kHz (e.g. `sox in.mp3 -r 8000 -c 1 -b 16 out.wav`), or use --voice <name>'
        : undefined);
    throw new SimulateError(err.code, `${choice.path}: ${err.message}`, {
      ...(hint ? { hint } : {}),
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

/**
 * A warning when a saved credential sits in a git work tree that does not ignore it: a credential is
 * biometric data and must not be committed. Undefined when git is absent, outside a work tree, or the
 * file is ignored.
 */
export function gitExposure(path: string): string | undefined {
  const file = resolve(path);
  const git = (args: string[]) => spawnSync('git', ['-C', dirname(file), ...args], { encoding: 'utf8' });
  const inside = git(['rev-parse', '--is-inside-work-tree']);
  if (inside.error || inside.status !== 0 || inside.stdout.trim() !== 'true') return undefined;
  const ignored = git(['check-ignore', '-q', '--', file]);
  if (ignored.status === 0) return undefined;
  return `${path} is inside a git work tree and not ignored: a voice credential is biometric data; add it to .gitignore (or write it outside the repository)`;
}
