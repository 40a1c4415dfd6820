/** What a sandbox's control route answered: its status and its JSON body (undefined when none or not JSON). */
export interface ControlAnswer {
  status: number;
  ok: boolean;
  body: unknown;
}

/**
 * A request to a sandbox's control routes (`/sandbox/…` of the Genesys org or the Twilio stand-in):
 * JSON in, JSON out. A failure to reach it is thrown as fetch throws it; each caller says what it
 * means for its own sandbox.
 */
export async function controlRequest(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<ControlAnswer> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    signal,
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, ok: res.ok, body: parsed };
}
