import { pino, destination as pinoDestination, type Logger, type LoggerOptions } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';

export type { Logger } from 'pino';

export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** `json`: one JSON object per line (for machines); `pretty`: one readable line (for a terminal). */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** Key names that hold secrets wherever they appear in a logged object. */
export const SECRET_KEYS = [
  'clientSecret',
  'client_secret',
  'apiKey',
  'apikey',
  'apiKeys',
  'password',
  'secret',
  'key',
  'keys',
  'encryptionKeys',
  'credential',
  'access_token',
  'accessToken',
  'authorization',
  'Authorization',
  'x-api-key',
  'X-API-KEY',
] as const;

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Extra redaction paths (pino syntax), e.g. the config's secret paths. */
  redact?: string[];
  /** Where to write; defaults to stderr so stdout stays free for --json output. */
  destination?: NodeJS.WritableStream;
  name?: string;
  /** Default `json`. */
  format?: LogFormat;
  /** Colours in `pretty` lines (only when the destination is a terminal). */
  colorize?: boolean;
}

/** Builds the redaction paths for secret keys at the top level and up to three levels deep. */
export function secretRedactPaths(extra: string[] = []): string[] {
  const paths = new Set<string>(extra);
  for (const key of SECRET_KEYS) {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (k.startsWith('[') ? `${prefix}${k}` : `${prefix}.${k}`);
    paths.add(k.startsWith('[') ? k.slice(2, -2) : k);
    paths.add(join('*'));
    paths.add(join('*.*'));
    paths.add(join('*.*.*'));
  }
  return [...paths];
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: secretRedactPaths(options.redact), censor: '[redacted]' },
    base: options.name ? { name: options.name } : null,
  };
  if (options.format === 'pretty') {
    // In this thread and synchronous (not a worker transport): a log line is written whole, before
    // the next line of human output, so the two never interleave at a terminal.
    // Loaded only when asked for: a CLI run that logs JSON does not pay for it at start.
    const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    const pretty = pinoPretty({
      destination: options.destination ?? 2,
      sync: true,
      colorize: options.colorize ?? false,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,name',
    });
    return pino(opts, pretty);
  }
  const destination = options.destination ?? pinoDestination({ fd: 2, sync: true });
  return pino(opts, destination);
}

/** A logger that writes nothing, for libraries called without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
