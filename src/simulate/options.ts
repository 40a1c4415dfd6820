/**
 * The options of a simulation, checked once: every later step can rely on them. Parsing is pure (no
 * file is read here), so each rule has a test and a bad value never reaches a socket.
 */
import { OPERATIONS, type Operation } from '../daspeak/contract.js';
import { CHANNELS, type Channel } from '../daspeak/outcome.js';
import { isKitError } from '../errors.js';
import { normaliseAni } from '../identity/ani.js';
import { badOption } from './errors.js';
import { checkFlowOption } from './flow-options.js';
import { checkTwilioOptions, PLATFORMS, type Platform } from './twilio-options.js';

export const TARGETS = ['sandbox', 'config'] as const;
/** `sandbox`: an in-process das-Peak emulator; `config`: the deployment the kit config points at. */
export type Target = (typeof TARGETS)[number];

/** `any` accepts every outcome that is not an error. */
export const EXPECTATIONS = ['any', 'registered', 'verified', 'no-match', 'spoof'] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

/** A Spanish mobile number in E.164: valid for libphonenumber, and obviously a sample. */
export const DEFAULT_ANI = '+34600000000';

/** Beyond these a run is a mistake, not a load test of a laptop's emulator or a real tenant. */
export const LIMITS = { calls: 100_000, concurrency: 1_000, speed: 10_000, holdSeconds: 600 } as const;

/** Long enough for any result that follows the speech; a caller with too little speech hangs up after it. */
export const DEFAULT_HOLD_SECONDS = 10;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Standard or URL-safe base64, padded or not. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export type AudioChoice = { kind: 'wav'; path: string } | { kind: 'voice'; name: string };
export type CredentialChoice = { kind: 'inline'; value: string } | { kind: 'file'; path: string };

export interface SimulateOptions {
  target: Target;
  operation: Operation;
  channel: Channel;
  audio: AudioChoice;
  /** The Genesys conversationId (= das-Peak call_id) of a single call; fresh UUIDs when absent. */
  callId?: string;
  /** Caller number in E.164. */
  ani: string;
  /** 1 = real time; Infinity = as fast as the socket takes the audio. */
  speed: number;
  /** Seconds the caller holds the line after speaking, waiting for the result, before hanging up. */
  hold: number;
  credential?: CredentialChoice;
  credentialOut?: string;
  calls: number;
  concurrency: number;
  expect: Expectation;
  organizationId?: string;
  /**
   * Place each call through the Genesys org of the config (a sandbox org: its `POST /sandbox/calls`
   * control route) instead of opening the Audiohook session here; the org streams to its integration.
   */
  viaGenesys?: boolean;
  /** With `viaGenesys`: the queue (name or id) the call is routed to; default the first of widget.queues. */
  queue?: string;
  /** Send audio with less net speech than das-Peak waits for (it is refused at once otherwise). */
  force?: boolean;
  /** With `viaGenesys`: the inbound call flow the org runs each call through (flow-call.ts). */
  flow?: string;
  /** `twilio`: a caller through the Twilio stand-in, registered then verified (twilio-call.ts). */
  platform?: Platform;
}

/** What the command line hands over: strings, or undefined when an option was not given. */
export interface RawSimulateOptions {
  target?: unknown;
  operation?: unknown;
  channel?: unknown;
  wav?: unknown;
  voice?: unknown;
  callId?: unknown;
  ani?: unknown;
  speed?: unknown;
  hold?: unknown;
  credential?: unknown;
  credentialFile?: unknown;
  credentialOut?: unknown;
  calls?: unknown;
  concurrency?: unknown;
  expect?: unknown;
  organizationId?: unknown;
  force?: unknown;
  viaGenesys?: unknown;
  queue?: unknown;
  flow?: unknown;
  platform?: unknown;
}

/** The voice used when neither --wav nor --voice is given: it exists wherever the kit is installed. */
export const DEFAULT_VOICE = 'synth-low';

/** Commander hands over strings (or booleans for flags); anything else is not an option value. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badOption(`an option value must be text, got ${typeof value}`);
}

/** A flag: absent or false is off; Commander hands over `true` when it is given. */
function flag(name: string, value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  const given = text(value)!.trim().toLowerCase();
  if (given === 'true') return true;
  if (given === 'false') return false;
  throw badOption(`${name} takes no value, got "${given}"`);
}

function oneOf<T extends string>(name: string, value: unknown, choices: readonly T[], fallback: T): T {
  const given = text(value);
  if (given === undefined) return fallback;
  if ((choices as readonly string[]).includes(given)) return given as T;
  throw badOption(`${name} must be one of ${choices.join(', ')}, got "${given}"`);
}

function positiveInteger(name: string, value: unknown, fallback: number, max: number): number {
  const given = text(value);
  if (given === undefined) return fallback;
  const n = /^\d+$/.test(given.trim()) ? Number(given) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw badOption(`${name} must be a whole number from 1 to ${max}, got "${given}"`);
  }
  return n;
}

/** `--speed`: a number above 0 (1 = real time), or `max` for no pacing at all. */
export function parseSpeed(value: unknown): number {
  const given = text(value);
  if (given === undefined) return 1;
  if (given.trim().toLowerCase() === 'max') return Infinity;
  const n = /^\s*\d*\.?\d+(e[+-]?\d+)?\s*$/i.test(given) ? Number(given) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > LIMITS.speed) {
    throw badOption(
      `--speed must be a number above 0 and at most ${LIMITS.speed}, or "max", got "${given}"`,
      '1 plays the audio in real time, 10 ten times faster, max as fast as the connection takes it',
    );
  }
  return n;
}

/** `--hold`: seconds, 0 to hang up as soon as the audio has been played. */
export function parseHold(value: unknown): number {
  const given = text(value);
  if (given === undefined) return DEFAULT_HOLD_SECONDS;
  const n = /^\s*\d*\.?\d+\s*$/.test(given) ? Number(given) : NaN;
  if (!Number.isFinite(n) || n > LIMITS.holdSeconds) {
    throw badOption(`--hold must be a number of seconds from 0 to ${LIMITS.holdSeconds}, got "${given}"`);
  }
  return n;
}

/** The caller number as Genesys would send it, normalised to E.164. */
export function parseAni(value: unknown): string {
  const given = text(value);
  if (given === undefined) return DEFAULT_ANI;
  try {
    return normaliseAni(given);
  } catch (err) {
    if (!isKitError(err)) throw err;
    throw badOption(
      `--ani "${given}": ${err.message}`,
      'give the caller number in E.164, such as +34600000000',
    );
  }
}

function parseCredential(raw: RawSimulateOptions, operation: Operation): CredentialChoice | undefined {
  const inline = text(raw.credential);
  const file = text(raw.credentialFile);
  if (inline !== undefined && file !== undefined) {
    throw badOption('give --credential or --credential-file, not both');
  }
  if (operation === 'register') {
    if (inline !== undefined || file !== undefined) {
      throw badOption(
        '--credential and --credential-file are for --operation verify',
        'a registration creates a credential: save it with --credential-out <file>',
      );
    }
    return undefined;
  }
  if (inline === undefined && file === undefined) {
    throw badOption(
      'a verification needs the credential a registration returned',
      'pass --credential <base64> or --credential-file <file> (write one with --operation register --credential-out <file>)',
    );
  }
  if (file !== undefined) {
    if (file.trim() === '') throw badOption('--credential-file needs a file name');
    return { kind: 'file', path: file };
  }
  const value = inline!.trim();
  if (!BASE64.test(value)) {
    throw badOption('--credential must be the base64 text a registration returned');
  }
  return { kind: 'inline', value };
}

function checkExpectation(expect: Expectation, operation: Operation): void {
  const possible: Record<Operation, readonly Expectation[]> = {
    register: ['any', 'registered', 'spoof'],
    verify: ['any', 'verified', 'no-match', 'spoof'],
  };
  if (!possible[operation].includes(expect)) {
    throw badOption(
      `--expect ${expect} cannot happen with --operation ${operation}`,
      `a ${operation} call ends ${possible[operation].filter((e) => e !== 'any').join(', ')} or in an error`,
    );
  }
}

/** Checks the raw options; throws `simulate.bad_option` (a usage error) for the first problem found. */
export function parseSimulateOptions(raw: RawSimulateOptions): SimulateOptions {
  const viaGenesys = flag('--via-genesys', raw.viaGenesys);
  // Through Genesys the audio goes where the org's Audiohook integration points, which the config
  // describes; an in-process emulator would never hear it.
  const target = oneOf('--target', raw.target, TARGETS, viaGenesys ? 'config' : 'sandbox');
  if (viaGenesys && target === 'sandbox') {
    throw badOption(
      '--via-genesys cannot be used with --target sandbox: the org streams the call to the das-Peak its Audiohook integration points at, not to an in-process emulator',
      'leave out --target: --via-genesys uses the org and das-Peak of --config (`npm start` runs both and writes that config)',
    );
  }
  const queue = text(raw.queue)?.trim();
  if (queue !== undefined) {
    if (!viaGenesys)
      throw badOption('--queue is for --via-genesys: it names the queue the org routes the call to');
    if (queue === '') throw badOption('--queue needs a queue name or id');
  }
  const platform = oneOf('--platform', raw.platform, PLATFORMS, 'genesys');
  const operation = oneOf('--operation', raw.operation, OPERATIONS, 'register');
  // Twilio runs default to Socket.IO, the channel a Flex agent's widget uses.
  const channel = oneOf('--channel', raw.channel, CHANNELS, platform === 'twilio' ? 'socketio' : 'rest');
  const expect = oneOf('--expect', raw.expect, EXPECTATIONS, 'any');
  checkExpectation(expect, operation);

  const wav = text(raw.wav);
  const voice = text(raw.voice);
  if (wav !== undefined && voice !== undefined) throw badOption('give --wav or --voice, not both');
  if (wav !== undefined && wav.trim() === '') throw badOption('--wav needs a file name');
  if (voice !== undefined && voice.trim() === '') throw badOption('--voice needs a voice name');
  const audio: AudioChoice =
    wav !== undefined ? { kind: 'wav', path: wav } : { kind: 'voice', name: (voice ?? DEFAULT_VOICE).trim() };

  const calls = positiveInteger('--calls', raw.calls, 1, LIMITS.calls);
  const concurrency = Math.min(
    calls,
    positiveInteger('--concurrency', raw.concurrency, 1, LIMITS.concurrency),
  );

  const callId = text(raw.callId)?.trim();
  if (callId !== undefined) {
    if (!UUID.test(callId)) {
      throw badOption(
        `--call-id must be a UUID (a Genesys conversationId), got "${callId}"`,
        'leave it out to use a fresh one',
      );
    }
    if (calls > 1) throw badOption('--call-id names one call; leave it out with --calls above 1');
  }

  if (viaGenesys && callId !== undefined) {
    throw badOption(
      '--call-id cannot be used with --via-genesys: the org creates the conversation and chooses its id',
      'leave it out; the conversationId the org returns is the call_id',
    );
  }

  const organizationId = text(raw.organizationId)?.trim();
  if (viaGenesys && organizationId !== undefined) {
    throw badOption(
      '--organization-id cannot be used with --via-genesys: the org sends its own organization id',
    );
  }
  if (organizationId !== undefined && !UUID.test(organizationId)) {
    throw badOption(`--organization-id must be a UUID, got "${organizationId}"`);
  }

  const credentialOut = text(raw.credentialOut);
  if (credentialOut !== undefined) {
    if (operation !== 'register') throw badOption('--credential-out is for --operation register');
    if (credentialOut.trim() === '') throw badOption('--credential-out needs a file name');
    if (calls > 1)
      throw badOption('--credential-out saves the credential of one call; use it without --calls');
  }

  const options: SimulateOptions = {
    target,
    operation,
    channel,
    audio,
    ani: parseAni(raw.ani),
    speed: parseSpeed(raw.speed),
    hold: parseHold(raw.hold),
    calls,
    concurrency,
    expect,
  };
  if (viaGenesys) options.viaGenesys = true;
  if (raw.force === true) options.force = true;
  if (queue !== undefined) options.queue = queue;
  const credential = parseCredential(raw, operation);
  if (credential) options.credential = credential;
  if (callId !== undefined) options.callId = callId;
  if (credentialOut !== undefined) options.credentialOut = credentialOut;
  if (organizationId !== undefined) options.organizationId = organizationId;
  const flow = checkFlowOption(raw, options);
  if (flow !== undefined) options.flow = flow;
  if (platform === 'twilio') {
    options.platform = 'twilio';
    checkTwilioOptions(raw, options);
  }
  return options;
}
