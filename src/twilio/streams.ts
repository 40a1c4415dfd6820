import type { StreamListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/call/stream.js';
import type { TwilioClient } from './client.js';
import { TwilioError } from './errors.js';
import { checkSid } from './sids.js';
import type { StreamTrack } from './twiml.js';

/**
 * Media Streams started and stopped on a live call through the REST API (the Streams subresource
 * of a Call), for a call whose TwiML did not start one. REST streams are unidirectional, like
 * `<Start><Stream>`.
 */

export interface StartStreamOptions {
  /** das-Peak's Twilio Media Streams consumer (wss://…). */
  url: string;
  /** A name to stop the stream by (unique per call). */
  name?: string;
  /** Default inbound_track (the caller). */
  track?: StreamTrack;
  /** Custom parameters das-Peak receives in `start.customParameters` (at most 99). */
  parameters?: Record<string, string>;
  statusCallback?: string;
}

export interface StreamInfo {
  sid: string;
  callSid: string;
  name: string | null;
  status: string;
}

/** Twilio takes Parameter1…Parameter99 (Name/Value pairs) on a stream. */
export const MAX_STREAM_PARAMETERS = 99;

export async function startStream(
  client: TwilioClient,
  callSid: string,
  options: StartStreamOptions,
): Promise<StreamInfo> {
  checkSid('CA', callSid);
  const entries = Object.entries(options.parameters ?? {});
  if (entries.length > MAX_STREAM_PARAMETERS) {
    throw new TwilioError(
      'twilio.refused',
      `a stream takes at most ${MAX_STREAM_PARAMETERS} parameters, not ${entries.length}`,
    );
  }
  const create: StreamListInstanceCreateOptions = {
    url: options.url,
    track: options.track ?? 'inbound_track',
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.statusCallback !== undefined ? { statusCallback: options.statusCallback } : {}),
  };
  const numbered = create as unknown as Record<string, string>;
  entries.forEach(([name, value], i) => {
    numbered[`parameter${i + 1}.name`] = name;
    numbered[`parameter${i + 1}.value`] = value;
  });
  const stream = await client.calls(callSid).streams.create(create);
  return { sid: stream.sid, callSid: stream.callSid, name: stream.name ?? null, status: stream.status };
}

/** Stops a stream by its SID (MZ…) or by the name it was started with. */
export async function stopStream(
  client: TwilioClient,
  callSid: string,
  sidOrName: string,
): Promise<StreamInfo> {
  checkSid('CA', callSid);
  if (!sidOrName) throw new TwilioError('twilio.bad_sid', 'give the stream SID (MZ…) or its name');
  const stream = await client.calls(callSid).streams(sidOrName).update({ status: 'stopped' });
  return { sid: stream.sid, callSid: stream.callSid, name: stream.name ?? null, status: stream.status };
}
