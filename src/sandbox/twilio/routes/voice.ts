/**
 * Twilio's Programmable Voice REST subset (api.twilio.com/2010-04-01): Calls (list, create, fetch,
 * update: `Status=completed` hangs up, `Twiml` redirects) and a call's Streams (create, stop). Bodies are
 * form-encoded, auth is HTTP Basic, answers and refusals are Twilio's JSON.
 */
import type { Express, Request } from 'express';
import { badParameter, notFound, TwilioApiError } from '../errors.js';
import type { TwilioContext } from '../http/context.js';
import { basicAuth, field } from '../http/pipeline.js';
import { checkStreamUrl, type StreamTrack } from '../calls/twiml.js';
import { callView, streamView } from '../views.js';

const ACCOUNT = '/2010-04-01/Accounts/:accountSid';

/** `ParameterN.Name` / `ParameterN.Value`, N from 1 to 99, as the Streams resource takes them. */
function streamParameters(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (let n = 1; n <= 99; n += 1) {
    const name = field(req, `Parameter${n}.Name`);
    if (name === undefined) continue;
    out[name] = field(req, `Parameter${n}.Value`) ?? '';
  }
  return out;
}

function track(value: string | undefined): StreamTrack {
  const t = value ?? 'inbound_track';
  if (t !== 'inbound_track' && t !== 'outbound_track' && t !== 'both_tracks') {
    throw badParameter(`Track must be one of inbound_track, outbound_track, both_tracks; got "${t}"`);
  }
  return t;
}

function page(req: Request): { page: number; pageSize: number } {
  const num = (name: string, fallback: number, max: number) => {
    const raw = req.query[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n > max) {
      throw badParameter(`${name} must be a whole number up to ${max}`);
    }
    return n;
  };
  return { page: num('Page', 0, 1_000_000), pageSize: Math.max(1, num('PageSize', 50, 1000)) };
}

/** Where an outbound call gets its TwiML: `Twiml` inline, or the `Url` webhook (POSTed as Twilio does). */
async function twimlOf(
  req: Request,
  call: { from: string; to: string; accountSid: string },
): Promise<string | undefined> {
  const inline = field(req, 'Twiml');
  if (inline !== undefined) return inline;
  const url = field(req, 'Url');
  if (url === undefined) return undefined;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TwilioApiError(400, 21205, `Url is not a valid URL: ${url}`);
  }
  const method = (field(req, 'Method') ?? 'POST').toUpperCase();
  const params = new URLSearchParams({
    AccountSid: call.accountSid,
    From: call.from,
    To: call.to,
    CallStatus: 'in-progress',
    Direction: 'outbound-api',
  });
  if (method === 'GET') for (const [k, v] of params) target.searchParams.set(k, v);
  let res: Response;
  try {
    res = await fetch(target, {
      method,
      ...(method === 'GET'
        ? {}
        : { body: params, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    // Twilio: 11200 HTTP retrieval failure.
    throw new TwilioApiError(
      502,
      11200,
      `HTTP retrieval failure: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!res.ok) throw new TwilioApiError(502, 11200, `HTTP retrieval failure: ${url} answered ${res.status}`);
  return res.text();
}

export function voiceRoutes(app: Express, ctx: TwilioContext): void {
  const { state, calls } = ctx;
  const callOf = (req: Request) => {
    const sid = String(req.params.callSid);
    const call = calls.get(sid);
    if (!call) throw notFound(req.path);
    return call;
  };

  app.get(`${ACCOUNT}/Calls.json`, basicAuth(ctx), (req, res) => {
    const { page: p, pageSize } = page(req);
    const filters = { To: req.query.To, From: req.query.From, Status: req.query.Status };
    const all = [...state.calls.values()]
      .filter(
        (c) =>
          (typeof filters.To !== 'string' || c.to === filters.To) &&
          (typeof filters.From !== 'string' || c.from === filters.From) &&
          (typeof filters.Status !== 'string' || c.status === filters.Status),
      )
      .reverse();
    const items = all.slice(p * pageSize, (p + 1) * pageSize);
    const base = `/2010-04-01/Accounts/${state.accountSid}/Calls.json`;
    const uri = (n: number) => `${base}?PageSize=${pageSize}&Page=${n}`;
    res.json({
      calls: items.map((c) => callView(state, c)),
      end: p * pageSize + Math.max(0, items.length - 1),
      first_page_uri: uri(0),
      next_page_uri: (p + 1) * pageSize < all.length ? uri(p + 1) : null,
      page: p,
      page_size: pageSize,
      previous_page_uri: p > 0 ? uri(p - 1) : null,
      start: p * pageSize,
      uri: uri(p),
    });
  });

  app.post(`${ACCOUNT}/Calls.json`, basicAuth(ctx), async (req, res) => {
    const to = field(req, 'To');
    const from = field(req, 'From');
    // Twilio: 21201 no To, 21213 no From (error dictionary); 21205 for the missing instructions is UNCONFIRMED.
    if (!to) throw new TwilioApiError(400, 21201, "No 'To' number is specified");
    if (!from) throw new TwilioApiError(400, 21213, "No 'From' number is specified");
    const twiml = await twimlOf(req, { from, to, accountSid: state.accountSid });
    if (twiml === undefined)
      throw new TwilioApiError(400, 21205, 'Either Url, Twiml or ApplicationSid must be given');
    const call = calls.create({ from, to, direction: 'outbound-api', speed: 1 }, twiml);
    res.status(201).json(callView(state, call));
  });

  app.get(`${ACCOUNT}/Calls/:callSid.json`, basicAuth(ctx), (req, res) => {
    res.json(callView(state, callOf(req)));
  });

  app.post(`${ACCOUNT}/Calls/:callSid.json`, basicAuth(ctx), async (req, res) => {
    const call = callOf(req);
    const status = field(req, 'Status');
    const twiml = field(req, 'Twiml');
    if (status !== undefined) {
      if (status !== 'completed' && status !== 'canceled') {
        throw badParameter(`Status must be completed or canceled, got "${status}"`);
      }
      // Twilio answers at once; the call's streams send `stop` as it ends.
      await calls.hangup(call.sid, status);
    } else if (twiml !== undefined) {
      calls.redirect(call.sid, twiml);
    } else {
      throw badParameter('Give Status, Twiml or Url to update a call');
    }
    res.json(callView(state, call));
  });

  app.post(`${ACCOUNT}/Calls/:callSid/Streams.json`, basicAuth(ctx), (req, res) => {
    const call = callOf(req);
    const url = field(req, 'Url');
    if (url === undefined) throw badParameter('Missing required parameter Url in the post body');
    const name = field(req, 'Name');
    const stream = calls.startStream(call.sid, {
      verb: 'stream',
      url: checkStreamUrl(url, 'Url'),
      ...(name !== undefined ? { name } : {}),
      track: track(field(req, 'Track')),
      parameters: streamParameters(req),
    });
    res.status(201).json(streamView(state, stream));
  });

  app.post(`${ACCOUNT}/Calls/:callSid/Streams/:streamSid.json`, basicAuth(ctx), async (req, res) => {
    const call = callOf(req);
    const status = field(req, 'Status');
    if (status !== 'stopped') throw badParameter(`Status must be stopped, got "${status ?? ''}"`);
    const stream = await calls.stopStream(call.sid, String(req.params.streamSid));
    res.json(streamView(state, stream));
  });
}
