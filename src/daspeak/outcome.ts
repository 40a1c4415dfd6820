import { Type, type Static } from '@sinclair/typebox';
import type { Operation, SessionResult, TerminalStatus } from './contract.js';
import { isDaspeakError } from './errors.js';

/**
 * The result of a register or verify session, the same whichever channel ran it, so callers never
 * care whether REST or Socket.IO was used.
 */

export const CHANNELS = ['rest', 'socketio'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Error codes of an outcome. The first four are the service's `error-*` events/statuses; the rest are
 * the client's: no result in time, unreachable, refused credentials, cancelled by the caller, and
 * `protocol` for an answer that breaks the contract (or an HTTP error that is not about parameters).
 */
export const OUTCOME_ERROR_CODES = [
  'consumer-not-ready',
  'parameters',
  'audio',
  'das-Peak',
  'timeout',
  'connection',
  'auth',
  'aborted',
  'protocol',
] as const;
export type OutcomeErrorCode = (typeof OUTCOME_ERROR_CODES)[number];

const unit = Type.Number({ minimum: 0, maximum: 1 });

export const ProgressSchema = Type.Object({
  netSpeechDuration: Type.Number({ minimum: 0, description: 'seconds of net speech collected' }),
  audioTotalDuration: Type.Optional(
    Type.Number({ minimum: 0, description: 'seconds the session waits for' }),
  ),
});
/** Net speech collected so far, as both channels report it. */
export type Progress = Static<typeof ProgressSchema>;

export const OutcomeTimingsSchema = Type.Object({
  /** Epoch ms when register()/verify() was called. */
  startedAt: Type.Number(),
  /** When the session existed: the REST create answer, or `initialize` sent on Socket.IO. */
  createdAt: Type.Optional(Type.Number()),
  /** When the audio consumer was first reported connected. */
  consumerReadyAt: Type.Optional(Type.Number()),
  /** When the outcome was known. */
  resultAt: Type.Number(),
});
export type OutcomeTimings = Static<typeof OutcomeTimingsSchema>;

const common = {
  operation: Type.Union([Type.Literal('register'), Type.Literal('verify')]),
  channel: Type.Union([Type.Literal('rest'), Type.Literal('socketio')]),
  callId: Type.String(),
  sessionId: Type.Optional(Type.String()),
  timings: OutcomeTimingsSchema,
  /** The last net-speech progress reported before the outcome. */
  progress: Type.Optional(ProgressSchema),
};

export const RegisteredOutcomeSchema = Type.Object({
  kind: Type.Literal('registered'),
  credential: Type.String({ minLength: 1 }),
  modelHash: Type.Optional(Type.String()),
  authenticity: Type.Optional(unit),
  /** base64 of what the service sent as `result-success`'s second argument (Socket.IO only). */
  collectedAudio: Type.Optional(Type.String()),
  ...common,
});
export const VerifiedOutcomeSchema = Type.Object({
  kind: Type.Literal('verified'),
  score: unit,
  authenticity: Type.Optional(unit),
  threshold: Type.Optional(unit),
  ...common,
});
export const NoMatchOutcomeSchema = Type.Object({
  kind: Type.Literal('no-match'),
  score: unit,
  authenticity: Type.Optional(unit),
  threshold: Type.Optional(unit),
  ...common,
});
export const SpoofOutcomeSchema = Type.Object({
  kind: Type.Literal('spoof'),
  authenticity: Type.Optional(unit),
  /** The authenticity threshold that was not reached. */
  threshold: Type.Optional(unit),
  ...common,
});
export const ErrorOutcomeSchema = Type.Object({
  kind: Type.Literal('error'),
  code: Type.Union(OUTCOME_ERROR_CODES.map((c) => Type.Literal(c))),
  message: Type.String(),
  /** The KitError code behind a client-side error, e.g. `daspeak.http_error`. */
  kitCode: Type.Optional(Type.String()),
  /** HTTP status das-Peak answered, when one did. */
  upstreamStatus: Type.Optional(Type.Integer()),
  ...common,
});

export const DaspeakOutcomeSchema = Type.Union([
  RegisteredOutcomeSchema,
  VerifiedOutcomeSchema,
  NoMatchOutcomeSchema,
  SpoofOutcomeSchema,
  ErrorOutcomeSchema,
]);
export type DaspeakOutcome = Static<typeof DaspeakOutcomeSchema>;
export type OutcomeKind = DaspeakOutcome['kind'];
export type ErrorOutcome = Static<typeof ErrorOutcomeSchema>;

type CommonKey = keyof typeof common;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An outcome without the fields every outcome shares (channel, call, timings, progress). */
export type OutcomeBody = DistributiveOmit<DaspeakOutcome, CommonKey>;
export type OutcomeContext = Pick<DaspeakOutcome, CommonKey>;

/** A terminal status or event, normalised from either channel. */
export interface TerminalReport {
  status: TerminalStatus;
  result?: SessionResult;
  error?: { code?: string; message?: string };
  collectedAudio?: string;
}

const ERROR_STATUS_CODES = {
  'error-consumer-not-ready': 'consumer-not-ready',
  'error-parameters': 'parameters',
  'error-audio': 'audio',
  'error-das-Peak': 'das-Peak',
} as const satisfies Partial<Record<TerminalStatus, OutcomeErrorCode>>;

const DEFAULT_ERROR_MESSAGES: Record<keyof typeof ERROR_STATUS_CODES, string> = {
  'error-consumer-not-ready': 'the audio consumer was not ready: no call audio reached das-Peak',
  'error-parameters': 'das-Peak refused the session parameters',
  'error-audio': 'das-Peak could not use the call audio',
  'error-das-Peak': 'the das-Peak biometric service failed',
};

/** Maps a terminal status/event to the outcome union; a result missing what it must carry is `protocol`. */
export function outcomeFromTerminal(operation: Operation, report: TerminalReport): OutcomeBody {
  const r = report.result ?? {};
  switch (report.status) {
    case 'success':
      if (operation === 'register') {
        if (!r.credential) return protocol('result-success of a registration carried no credential');
        return {
          kind: 'registered',
          credential: r.credential,
          ...defined({
            modelHash: r.model_hash,
            authenticity: r.authenticity,
            collectedAudio: report.collectedAudio,
          }),
        };
      }
      if (r.score === undefined) return protocol('result-success of a verification carried no score');
      return {
        kind: 'verified',
        score: r.score,
        ...defined({ authenticity: r.authenticity, threshold: r.threshold }),
      };
    case 'fail-score':
      if (operation === 'register')
        return protocol('a registration cannot fail on score (result-fail-score)');
      if (r.score === undefined) return protocol('result-fail-score carried no score');
      return {
        kind: 'no-match',
        score: r.score,
        ...defined({ authenticity: r.authenticity, threshold: r.threshold }),
      };
    case 'fail-spoof':
      return {
        kind: 'spoof',
        ...defined({ authenticity: r.authenticity, threshold: r.authenticity_threshold }),
      };
    default: {
      const said = report.error?.message
        ? `${report.error.code ? `${report.error.code}: ` : ''}${report.error.message}`
        : DEFAULT_ERROR_MESSAGES[report.status];
      return { kind: 'error', code: ERROR_STATUS_CODES[report.status], message: said };
    }
  }
}

/**
 * Maps a client-side failure to an error outcome. Anything that is not a DaspeakError is a bug and
 * is thrown again rather than dressed up as a service failure.
 */
export function outcomeFromError(err: unknown): Extract<OutcomeBody, { kind: 'error' }> {
  if (!isDaspeakError(err)) throw err;
  const base = { kind: 'error' as const, message: err.message, kitCode: err.code };
  const withStatus =
    err.upstreamStatus === undefined ? base : { ...base, upstreamStatus: err.upstreamStatus };
  switch (err.code) {
    case 'daspeak.auth_failed':
      return { ...withStatus, code: 'auth' };
    case 'daspeak.timeout':
      return { ...withStatus, code: 'timeout' };
    case 'daspeak.connection':
      return { ...withStatus, code: 'connection' };
    case 'daspeak.aborted':
      return { ...withStatus, code: 'aborted' };
    case 'daspeak.invalid_request':
      return { ...withStatus, code: 'parameters' };
    case 'daspeak.bad_response':
      return { ...withStatus, code: 'protocol' };
    case 'daspeak.http_error': {
      const status = err.upstreamStatus ?? 0;
      if (status === 400 || status === 422) return { ...withStatus, code: 'parameters' };
      if (status >= 500) return { ...withStatus, code: 'das-Peak' };
      return { ...withStatus, code: 'protocol' };
    }
  }
}

/** Joins an outcome body with what every outcome carries. */
export function completeOutcome(body: OutcomeBody, context: OutcomeContext): DaspeakOutcome {
  return { ...body, ...context };
}

function protocol(message: string): Extract<OutcomeBody, { kind: 'error' }> {
  return { kind: 'error', code: 'protocol', message };
}

/** Leaves out undefined values so outcomes carry only what the service said. */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(fields) as [keyof T, T[keyof T]][]) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}
