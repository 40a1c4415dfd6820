import type { Logger } from '../../../log.js';
import type { VoiceCatalog } from '../../genesys/calls/audio.js';
import type { CallManager } from '../calls/calls.js';
import type { TwilioState } from '../state.js';
import type { TwilioFaults } from './faults.js';

/** Everything a route needs; one per stand-in, no module state. */
export interface TwilioContext {
  state: TwilioState;
  faults: TwilioFaults;
  logger: Logger;
  calls: CallManager;
  voices?: VoiceCatalog;
  /** Lifetime of a Flex token the stand-in issues. */
  flexTokenSeconds: number;
  now(): number;
  /** The stand-in's own origin, known once listening (TaskRouter's absolute `url` fields). */
  baseUrl(): string;
}
