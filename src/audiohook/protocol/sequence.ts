import { AudiohookError } from '../errors.js';

/*
 * Sequence rules: each direction numbers its text messages 1, 2, 3… (audio frames take no number);
 * every message also acknowledges the last number it saw from the other side (client: `serverseq`,
 * server: `clientseq`), which can never be ahead of what that side has sent.
 */

/** Error when `seq` is not exactly one more than the last seq received, else null. */
export function checkSeq(lastReceived: number, seq: number): AudiohookError | null {
  if (seq === lastReceived + 1) return null;
  return new AudiohookError(
    'audiohook.bad_seq',
    `message seq ${seq} out of order (expected ${lastReceived + 1})`,
    { protocolCode: 400, details: { expected: lastReceived + 1, received: seq } },
  );
}

/** Error when the peer acknowledges a seq we never sent, else null. */
export function checkAck(
  lastSent: number,
  ack: number,
  field: 'serverseq' | 'clientseq',
): AudiohookError | null {
  if (ack <= lastSent) return null;
  return new AudiohookError(
    'audiohook.bad_ack',
    `${field} ${ack} is ahead of the last seq sent (${lastSent})`,
    {
      protocolCode: 400,
      details: { lastSent, received: ack },
    },
  );
}
