/**
 * `simulate --via-genesys --flow <name>`: which other options go with it. The flow decides the queue
 * and what happens on the call (it registers a new caller, verifies a known one), so the options
 * that choose those for a plain call do not apply.
 */
import { badOption } from './errors.js';
import type { RawSimulateOptions, SimulateOptions } from './options.js';
import { requireSpeakerVoice } from './two-call-voice.js';

/** The flow name, or undefined without `--flow`; a usage error for an option that does not fit. */
export function checkFlowOption(raw: RawSimulateOptions, options: SimulateOptions): string | undefined {
  if (raw.flow === undefined || raw.flow === null || raw.flow === false) return undefined;
  const flow = typeof raw.flow === 'string' ? raw.flow.trim() : '';
  if (flow === '')
    throw badOption('--flow needs the name of an inbound call flow, e.g. "daspeak Example Inbound"');
  if (!options.viaGenesys) {
    throw badOption(
      '--flow is for --via-genesys: the sandbox org runs the flow on the calls it places',
      'add --via-genesys',
    );
  }
  const refuse = (what: string, why: string) => {
    throw badOption(`${what} cannot be used with --flow: ${why}`);
  };
  if (options.queue !== undefined) refuse('--queue', 'the flow transfers the call to its own queue');
  if (options.credential || options.credentialOut)
    refuse(
      '--credential, --credential-file and --credential-out',
      'the backend keeps the credential the IVR registers',
    );
  if (options.calls > 1)
    refuse('--calls', 'a flow run is one caller: a registration call, then a verification call');
  requireSpeakerVoice(options, '--flow');
  return flow;
}
