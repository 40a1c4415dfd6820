/**
 * `simulate --platform twilio`: which other options go with it. A Twilio run is one caller through the
 * Twilio stand-in, a registration call then a verification call, so the options that choose one
 * operation, a credential, a Genesys org or a load run do not apply.
 */
import { badOption } from './errors.js';
import type { RawSimulateOptions, SimulateOptions } from './options.js';
import { requireSpeakerVoice } from './two-call-voice.js';

export const PLATFORMS = ['genesys', 'twilio'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Throws a usage error for an option that does not fit a Twilio run. */
export function checkTwilioOptions(raw: RawSimulateOptions, options: SimulateOptions): void {
  const refuse = (what: string, why: string, hint?: string) => {
    throw badOption(`${what} cannot be used with --platform twilio: ${why}`, hint);
  };
  if (options.viaGenesys) refuse('--via-genesys', 'the Twilio stand-in places the calls, not a Genesys org');
  if (options.queue !== undefined || options.flow !== undefined)
    refuse('--queue and --flow', 'they route a Genesys call');
  if (options.credential || options.credentialOut)
    refuse(
      '--credential, --credential-file and --credential-out',
      'the run registers the caller, then verifies them with that credential',
    );
  if (options.calls > 1)
    refuse('--calls', 'a Twilio run is one caller: a registration call, then a verification call');
  if (options.callId !== undefined)
    refuse('--call-id', 'the call SID is what Twilio (the stand-in) gives the call');
  if (options.organizationId !== undefined)
    refuse('--organization-id', 'there is no Genesys organization on a Twilio call');
  if (raw.operation !== undefined && raw.operation !== 'register')
    refuse('--operation', 'the run registers, then verifies');
  requireSpeakerVoice(options, '--platform twilio');
}
