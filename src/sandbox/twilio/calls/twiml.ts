/**
 * The TwiML a call runs, read as Twilio reads it, for the verbs the kit's calls use: `<Start><Stream>`
 * (a unidirectional Media Stream, with `<Parameter>`s), `<Connect><Stream>` (taken as the same fork:
 * the stand-in only ever sends the caller's audio), `<Hangup/>`. `<Pause>`, `<Say>`, `<Play>`, `<Dial>`
 * and the rest are accepted and do nothing here: the caller stays on the line until hung up.
 */
import { XMLParser } from 'fast-xml-parser';
import { TwilioApiError } from '../errors.js';

export type StreamTrack = 'inbound_track' | 'outbound_track' | 'both_tracks';
const TRACKS: readonly StreamTrack[] = ['inbound_track', 'outbound_track', 'both_tracks'];

export interface StreamInstruction {
  verb: 'stream';
  url: string;
  name?: string;
  track: StreamTrack;
  parameters: Record<string, string>;
}

export type Instruction = StreamInstruction | { verb: 'hangup' };

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

/**
 * 12100 Document parse failure: what Twilio logs when a call's TwiML is not a `<Response>` document
 * (the call then ends with an application error).
 */
export const documentParseFailure = (why: string) =>
  new TwilioApiError(400, 12100, `Document parse failure: ${why}`);

function tagOf(node: Node): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '?xml');
}

/** `ws://` or `wss://` absolute URLs only: Twilio refuses anything else for a `<Stream>` (31941 Invalid URL, UNCONFIRMED). */
export function checkStreamUrl(url: string | undefined, where: string): string {
  let parsed: URL | undefined;
  try {
    parsed = url ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:')) {
    throw new TwilioApiError(
      400,
      20001,
      `${where} must be an absolute ws:// or wss:// URL, got "${url ?? ''}"`,
    );
  }
  return url!;
}

function streamOf(node: Node, tag: string): StreamInstruction {
  const attrs = node[':@'] ?? {};
  const track = (attrs.track ?? 'inbound_track') as StreamTrack;
  if (!TRACKS.includes(track)) {
    throw documentParseFailure(`<Stream track="${track}"> must be one of ${TRACKS.join(', ')}`);
  }
  const parameters: Record<string, string> = {};
  for (const child of (node[tag] as Node[]) ?? []) {
    if (tagOf(child) !== 'Parameter') continue;
    const p = child[':@'] ?? {};
    if (p.name) parameters[p.name] = p.value ?? '';
  }
  return {
    verb: 'stream',
    url: checkStreamUrl(attrs.url, '<Stream url>'),
    ...(attrs.name ? { name: attrs.name } : {}),
    track,
    parameters,
  };
}

/** The instructions of a TwiML document, in order; 12100 when it is not TwiML. */
export function readTwiml(xml: string): Instruction[] {
  let doc: Node[];
  try {
    doc = parser.parse(xml, true) as Node[];
  } catch (err) {
    throw documentParseFailure(err instanceof Error ? err.message : String(err));
  }
  const response = doc.find((n) => tagOf(n) === 'Response');
  if (!response) throw documentParseFailure('the document has no <Response> root');
  const out: Instruction[] = [];
  for (const verb of (response.Response as Node[]) ?? []) {
    const tag = tagOf(verb);
    if (tag === 'Start' || tag === 'Connect') {
      for (const noun of (verb[tag] as Node[]) ?? []) {
        if (tagOf(noun) === 'Stream') out.push(streamOf(noun, 'Stream'));
      }
    } else if (tag === 'Hangup') {
      out.push({ verb: 'hangup' });
      break;
    }
  }
  return out;
}
