/**
 * The TwiML that forks a call's audio to das-Peak: `<Start><Stream>` is unidirectional, so the
 * call goes on with the verbs after it (to Flex, a redirect, or a pause) while Twilio streams the
 * caller's track to the consumer. Built with the helper library's
 * VoiceResponse (its escaping, its attribute names); the tests check the mapping from options to
 * verbs against a VoiceResponse built verb by verb.
 */
import twilio from 'twilio';

export type StreamTrack = 'inbound_track' | 'outbound_track' | 'both_tracks';

/** What the call does once the stream has started. */
export type AfterStream =
  /** Into Flex: a TaskRouter task in this workflow (what Flex's own "Send to Flex" does). */
  | { enqueue: { workflowSid: string; taskAttributes?: Record<string, unknown> } }
  /** Fetch the rest of the call's TwiML from this URL (e.g. the number's former webhook). */
  | { redirect: string }
  /** Keep the line open (tests, a call with no one else to talk to). */
  | { pauseSeconds: number };

export interface StreamTwimlOptions {
  /** das-Peak's Twilio Media Streams consumer, wss://… (ws:// only on loopback). */
  url: string;
  /** Name of the stream, to stop it by name over REST. */
  name?: string;
  /** Default inbound_track: the caller only, which is what das-Peak verifies. */
  track?: StreamTrack;
  /** `<Parameter>`s, which das-Peak gets in the start message's customParameters (the caller: `from`). */
  parameters?: Record<string, string>;
  statusCallback?: string;
  then?: AfterStream;
}

/** `<?xml …?><Response><Start><Stream url=… track=…><Parameter …/></Stream></Start>…</Response>` */
export function streamTwiml(options: StreamTwimlOptions): string {
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.start().stream({
    url: options.url,
    ...(options.name !== undefined ? { name: options.name } : {}),
    track: options.track ?? 'inbound_track',
    ...(options.statusCallback !== undefined ? { statusCallback: options.statusCallback } : {}),
  });
  for (const [name, value] of Object.entries(options.parameters ?? {})) stream.parameter({ name, value });
  const then = options.then;
  if (then && 'enqueue' in then) {
    const { workflowSid, taskAttributes } = then.enqueue;
    const enqueue = response.enqueue({ workflowSid });
    if (taskAttributes) enqueue.task(JSON.stringify(taskAttributes));
  } else if (then && 'redirect' in then) {
    response.redirect(then.redirect);
  } else if (then) {
    response.pause({ length: then.pauseSeconds });
  }
  return response.toString();
}
