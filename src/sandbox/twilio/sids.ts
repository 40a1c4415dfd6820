import { randomBytes } from 'node:crypto';

/** Twilio resource kinds by SID prefix: the two letters every SID starts with. */
export type SidPrefix = 'AC' | 'CA' | 'MZ' | 'WS' | 'WK' | 'WT' | 'WR' | 'WW' | 'WQ' | 'TC' | 'WA' | 'PN';

/** A fresh SID: the kind's prefix and 32 lower-case hex digits (`^CA[0-9a-f]{32}$`), as Twilio's. */
export function newSid(prefix: SidPrefix): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** Whether `value` is a SID of that kind (Twilio documents `^XX[0-9a-fA-F]{32}$`). */
export function isSid(prefix: SidPrefix, value: string): boolean {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}

/** Twilio's 2010 API dates: RFC 2822 (`Thu, 03 Dec 2026 13:47:37 +0000`). */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** TaskRouter (v1) dates: ISO 8601 without milliseconds (`2026-12-03T13:47:37Z`). */
export function iso8601(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
