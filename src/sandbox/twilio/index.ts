/**
 * The local Twilio stand-in: Programmable Voice (Calls, Streams), IAM's Flex token check, TaskRouter
 * reads, calls that stream Twilio Media Streams to das-Peak, and /sandbox control routes.
 */
export {
  defaultIncomingTwiml,
  startTwilioSandbox,
  type TwilioSandbox,
  type TwilioSandboxOptions,
  type TwilioSandboxWorker,
} from './sandbox.js';
export type { FaultRule } from './http/faults.js';
export type { TwilioErrorBody } from './errors.js';
export type * from './state.js';
export type { PlaceCallBody } from './routes/control.js';
