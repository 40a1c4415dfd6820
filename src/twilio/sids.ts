import { TwilioError } from './errors.js';

/** Twilio SIDs: two letters naming the kind, then 32 hexadecimal digits. */
export const SID_KINDS = {
  CA: 'call SID',
  MZ: 'stream SID',
  WK: 'worker SID',
  WS: 'workspace SID',
  WT: 'task SID',
  WR: 'reservation SID',
  AC: 'account SID',
} as const;

export type SidPrefix = keyof typeof SID_KINDS;

export function isSid(prefix: SidPrefix, value: unknown): boolean {
  return typeof value === 'string' && new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}

/** The value, or a TwilioError `twilio.bad_sid` naming what was expected (before any request is sent). */
export function checkSid(prefix: SidPrefix, value: string, what: string = SID_KINDS[prefix]): string {
  if (isSid(prefix, value)) return value;
  const shown = value.length > 40 ? `${value.slice(0, 37)}…` : value;
  throw new TwilioError('twilio.bad_sid', `"${shown}" is not a ${what}`, {
    hint: `a ${what} is ${prefix} followed by 32 hexadecimal digits`,
  });
}
