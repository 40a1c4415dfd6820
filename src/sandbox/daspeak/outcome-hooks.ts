import type { Operation, TerminalStatus } from '../../daspeak/contract.js';
import type { SandboxFaults } from './options.js';

/**
 * Deterministic outcomes for tests (reference §8, DESIGN): a `call_id` prefix, or the `forcedOutcome(s)`
 * fault knobs, decide how a session ends once it has enough audio, whatever the voice says.
 * Per-call forced outcomes win over the global one, which wins over the prefixes.
 */
export const CALL_ID_PREFIXES: Readonly<Record<string, TerminalStatus>> = Object.freeze({
  'spoof-': 'fail-spoof',
  'lowscore-': 'fail-score',
  'daspeakerr-': 'error-das-Peak',
});

/** The status a session must end with, or undefined to let the voiceprint engine decide. */
export function forcedStatus(
  callId: string,
  operation: Operation,
  faults: SandboxFaults,
): TerminalStatus | undefined {
  const forced =
    faults.forcedOutcomes?.[callId] ??
    faults.forcedOutcome ??
    Object.entries(CALL_ID_PREFIXES).find(([prefix]) => callId.startsWith(prefix))?.[1];
  // A registration has no score to fail (SIO-DEF lists result-fail-score on the verify channel only).
  if (forced === 'fail-score' && operation === 'register') return undefined;
  return forced;
}
