import { describe, expect, it } from 'vitest';
import {
  NonceCache,
  SfDecimal,
  SfToken,
  decodeClientSecret,
  isInnerList,
  parseDictionary,
  serializeDictionary,
  signAudiohookRequest,
  verifyAudiohookSignature,
  type HeaderFields,
  type SignOptions,
} from '../../src/audiohook/signature/index.js';

// The spec's example (Genesys' reference verifier test), see reference/genesys-cloud.md §1.2.
const VECTOR = {
  apiKey: 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh',
  clientSecret: 'TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=',
  url: 'wss://audiohook.example.com/api/v1/voicebiometrics/ws',
  organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
  sessionId: '30b0e395-84d3-4570-ac13-9a62d8f514c0',
  correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
  nonce: 'VGhpc0lzQVVuaXF1ZU5vbmNl',
  created: 1641013200,
  expires: 3282026430,
};
const VECTOR_INPUT =
  'sig1=("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="VGhpc0lzQVVuaXF1ZU5vbmNl";alg="hmac-sha256";created=1641013200;expires=3282026430';
const VECTOR_SIGNATURE = 'sig1=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:';

const atCreated = () => VECTOR.created * 1000;

function requestFor(signed: { 'Signature-Input': string; Signature: string }, o: Partial<SignOptions> = {}) {
  const v = { ...VECTOR, ...o };
  const url = new URL(typeof v.url === 'string' ? v.url : v.url.href);
  const headers: Record<string, string> = {
    host: url.host,
    'audiohook-organization-id': v.organizationId,
    'audiohook-session-id': v.sessionId,
    'audiohook-correlation-id': v.correlationId,
    'x-api-key': v.apiKey,
    'signature-input': signed['Signature-Input'],
    signature: signed.Signature,
  };
  return { headers, requestTarget: url.pathname + url.search };
}

const verifyOpts = (extra: Record<string, unknown> = {}) => ({
  clientSecret: VECTOR.clientSecret,
  clock: atCreated,
  ...extra,
});

describe('signature: golden vector', () => {
  it('the signer reproduces the spec example exactly', () => {
    const signed = signAudiohookRequest(VECTOR);
    expect(signed['Signature-Input']).toBe(VECTOR_INPUT);
    expect(signed.Signature).toBe(VECTOR_SIGNATURE);
  });

  it('the verifier accepts the spec example with the clock at `created`', () => {
    const req = requestFor({ 'Signature-Input': VECTOR_INPUT, Signature: VECTOR_SIGNATURE });
    const r = verifyAudiohookSignature(req, verifyOpts({ nonceCache: new NonceCache({ clock: atCreated }) }));
    expect(r).toEqual({
      ok: true,
      signature: {
        label: 'sig1',
        keyid: VECTOR.apiKey,
        nonce: VECTOR.nonce,
        created: VECTOR.created,
        expires: VECTOR.expires,
      },
    });
  });
});

describe('signature: signer', () => {
  it('takes created from the clock, nonce from randomness, expires = created + 30', () => {
    const signed = signAudiohookRequest({
      ...VECTOR,
      nonce: undefined,
      created: undefined,
      expires: undefined,
      clock: () => 1_700_000_000_500,
      randomBytes: (n) => new Uint8Array(n).fill(7),
    });
    expect(signed['Signature-Input']).toContain(`nonce="${Buffer.alloc(18, 7).toString('base64')}"`);
    expect(signed['Signature-Input']).toContain('created=1700000000;expires=1700000030');
    expect(Buffer.alloc(18).toString('base64')).toHaveLength(24);
  });

  it('omits the default port from @authority and keeps the query in @request-target', () => {
    const a = signAudiohookRequest({
      ...VECTOR,
      url: 'wss://audiohook.example.com:443/api/v1/voicebiometrics/ws',
    });
    expect(a.Signature).toBe(VECTOR_SIGNATURE);
    const b = signAudiohookRequest({ ...VECTOR, url: 'ws://127.0.0.1:8080/ws?tenant=a' });
    const req = requestFor(b, { url: 'ws://127.0.0.1:8080/ws?tenant=a' });
    expect(req.requestTarget).toBe('/ws?tenant=a');
    expect(verifyAudiohookSignature(req, verifyOpts()).ok).toBe(true);
  });

  it('refuses a client secret that is not base64, without echoing it', () => {
    const secret = 'not base64 at all!';
    let caught: unknown;
    try {
      signAudiohookRequest({ ...VECTOR, clientSecret: secret });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'audiohook.bad_client_secret' });
    expect(String((caught as Error).message)).not.toContain(secret);
  });

  it.each(['abcde', 'ab=c', '====', 'YQ===', ''])('decodeClientSecret refuses %j', (s) => {
    expect(() => decodeClientSecret(s)).toThrow(
      expect.objectContaining({ code: 'audiohook.bad_client_secret' }),
    );
  });

  it('decodeClientSecret accepts padded and unpadded base64', () => {
    expect(Buffer.from(decodeClientSecret('YQ==')).toString()).toBe('a');
    expect(Buffer.from(decodeClientSecret('YQ')).toString()).toBe('a');
  });
});

describe('signature: verifier refusals', () => {
  const fresh = () => signAudiohookRequest(VECTOR);
  const expectCode = (
    headers: HeaderFields,
    code: string,
    extra: Record<string, unknown> = {},
    target = '/api/v1/voicebiometrics/ws',
  ) => {
    const r = verifyAudiohookSignature({ headers, requestTarget: target }, verifyOpts(extra));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      // A bad configured secret is our fault, not the caller's: no 401 for it.
      expect(r.error.status).toBe(code === 'audiohook.bad_client_secret' ? undefined : 401);
      expect(r.error.message).not.toContain(VECTOR.clientSecret);
    }
  };

  it('no signature headers', () => {
    const { headers } = requestFor(fresh());
    expectCode(
      { ...headers, 'signature-input': undefined, signature: undefined },
      'audiohook.signature_missing',
    );
  });

  it('only one of the two headers', () => {
    const { headers } = requestFor(fresh());
    expectCode({ ...headers, signature: undefined }, 'audiohook.signature_malformed');
  });

  it('unparseable headers', () => {
    const { headers } = requestFor(fresh());
    expectCode({ ...headers, signature: 'sig1=:not base64!:' }, 'audiohook.signature_malformed');
    expectCode({ ...headers, 'signature-input': 'sig1=("a" ' }, 'audiohook.signature_malformed');
    expectCode({ ...headers, 'signature-input': 'sig1="not a list"' }, 'audiohook.signature_malformed');
  });

  it('a signature that does not cover all six components', () => {
    const { headers } = requestFor(fresh());
    const input = headers['signature-input']!.replace(' "x-api-key"', '');
    expectCode({ ...headers, 'signature-input': input }, 'audiohook.signature_components');
  });

  it('another algorithm', () => {
    const { headers } = requestFor(fresh());
    expectCode(
      { ...headers, 'signature-input': headers['signature-input']!.replace('hmac-sha256', 'rsa-pss-sha512') },
      'audiohook.signature_alg',
    );
  });

  it('keyid not equal to X-API-KEY', () => {
    const { headers } = requestFor(fresh());
    expectCode({ ...headers, 'x-api-key': 'someoneElse' }, 'audiohook.signature_keyid');
  });

  it('a nonce shorter than 22 characters', () => {
    const signed = signAudiohookRequest({ ...VECTOR, nonce: 'short-nonce' });
    expectCode(requestFor(signed).headers, 'audiohook.signature_nonce');
  });

  it('created in the future beyond the skew', () => {
    const signed = signAudiohookRequest({ ...VECTOR, created: VECTOR.created + 4 });
    expectCode(requestFor(signed).headers, 'audiohook.signature_future');
    const ok = signAudiohookRequest({ ...VECTOR, created: VECTOR.created + 3 });
    expect(verifyAudiohookSignature(requestFor(ok), verifyOpts()).ok).toBe(true);
  });

  it('older than maxSignatureAge', () => {
    const signed = signAudiohookRequest(VECTOR);
    const later = (s: number) => () => (VECTOR.created + s) * 1000;
    expect(verifyAudiohookSignature(requestFor(signed), verifyOpts({ clock: later(13) })).ok).toBe(true);
    expectCode(requestFor(signed).headers, 'audiohook.signature_expired', { clock: later(14) });
    expectCode(requestFor(signed).headers, 'audiohook.signature_expired', {
      clock: later(60),
      maxSignatureAgeSeconds: 50,
    });
  });

  it('expires in the past', () => {
    const signed = signAudiohookRequest({
      ...VECTOR,
      created: VECTOR.created - 8,
      expires: VECTOR.created - 4,
    });
    expectCode(requestFor(signed).headers, 'audiohook.signature_expired');
  });

  it('a wrong HMAC or a tampered header', () => {
    const { headers } = requestFor(fresh());
    expectCode(
      { ...headers, signature: 'sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:' },
      'audiohook.signature_mismatch',
    );
    expectCode({ ...headers, signature: 'sig1=:AAAA:' }, 'audiohook.signature_mismatch');
    expectCode(
      { ...headers, 'audiohook-session-id': '11111111-1111-4111-8111-111111111111' },
      'audiohook.signature_mismatch',
    );
    expectCode(headers, 'audiohook.signature_mismatch', {}, '/another/path');
    expectCode({ ...headers, host: 'evil.example.com' }, 'audiohook.signature_mismatch');
    expectCode(headers, 'audiohook.signature_mismatch', { clientSecret: 'b3RoZXItc2VjcmV0' });
  });

  it('a configured secret that is not base64', () => {
    expectCode(requestFor(fresh()).headers, 'audiohook.bad_client_secret', { clientSecret: '***' });
  });

  it('a replayed nonce, until the cache entry expires', () => {
    let now = atCreated();
    const cache = new NonceCache({ clock: () => now });
    const opts = verifyOpts({ nonceCache: cache, clock: () => now });
    const req = requestFor(fresh());
    expect(verifyAudiohookSignature(req, opts).ok).toBe(true);
    const again = verifyAudiohookSignature(req, opts);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('audiohook.signature_replayed');
    // Once the signature itself is too old the nonce is forgotten; the age check refuses it instead.
    now += 14_000;
    const late = verifyAudiohookSignature(req, opts);
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.error.code).toBe('audiohook.signature_expired');
    const next = signAudiohookRequest({
      ...VECTOR,
      created: now / 1000,
      nonce: 'QW5vdGhlck5vbmNlRm9yTGF0ZXI=',
    });
    expect(verifyAudiohookSignature(requestFor(next), opts).ok).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('uses the Host header for @authority, or an explicit authority behind a proxy', () => {
    const { headers, requestTarget } = requestFor(fresh());
    const proxied = { ...headers, host: 'internal:9000' };
    expect(verifyAudiohookSignature({ headers: proxied, requestTarget }, verifyOpts()).ok).toBe(false);
    expect(
      verifyAudiohookSignature(
        { headers: proxied, requestTarget, authority: 'audiohook.example.com' },
        verifyOpts(),
      ).ok,
    ).toBe(true);
  });
});

describe('signature: nonce cache', () => {
  it('scopes nonces by key id and refuses new ones when full of live entries', () => {
    let now = 0;
    const cache = new NonceCache({ clock: () => now, maxEntries: 2 });
    expect(cache.admit('k1', 'n', 1000)).toBe('new');
    expect(cache.admit('k2', 'n', 1000)).toBe('new');
    expect(cache.admit('k1', 'n', 1000)).toBe('replayed');
    expect(cache.admit('k3', 'n', 1000)).toBe('full');
    now = 1000;
    expect(cache.admit('k3', 'n', 2000)).toBe('new');
    expect(cache.size).toBe(1);
  });
});

describe('signature: structured fields', () => {
  it('parses inner lists with parameters and byte sequences', () => {
    const d = parseDictionary(
      'sig1=("@a" "b");keyid="k";created=5, sig2=:AQID:;p, flag, t=tok/en:1;x=?0, d=-1.5',
    );
    const sig1 = d.get('sig1')!;
    expect(isInnerList(sig1)).toBe(true);
    if (isInnerList(sig1)) {
      expect(sig1.items.map((i) => i.value)).toEqual(['@a', 'b']);
      expect([...sig1.params]).toEqual([
        ['keyid', 'k'],
        ['created', 5],
      ]);
    }
    const sig2 = d.get('sig2')!;
    expect(!isInnerList(sig2) && [...(sig2.value as Uint8Array)]).toEqual([1, 2, 3]);
    expect(!isInnerList(sig2) && sig2.params.get('p')).toBe(true);
    expect(d.get('flag')).toEqual({ value: true, params: new Map() });
    const t = d.get('t')!;
    expect(!isInnerList(t) && t.value).toEqual(new SfToken('tok/en:1'));
    expect(!isInnerList(t) && t.params.get('x')).toBe(false);
    expect(d.get('d')).toEqual({ value: new SfDecimal(-1.5), params: new Map() });
  });

  it('round-trips to the canonical form', () => {
    const text = 'a=("x" "y\\"z");n=1, b=:AQID:, c, d=1.5, e=?0, f=tok';
    expect(serializeDictionary(parseDictionary(text))).toBe(text);
    expect(serializeDictionary(parseDictionary('  a=(  "x"   "y" )  ,b=1  '))).toBe('a=("x" "y"), b=1');
  });

  it('joins repeated field lines', () => {
    expect([...parseDictionary(['a=1', 'b=2']).keys()]).toEqual(['a', 'b']);
  });

  it.each([
    'a=',
    'a=(1',
    'a=1,',
    'A=1',
    'a="unterminated',
    'a="bad\\escape"',
    'a=:abc',
    'a=?2',
    'a=1234567890123456',
    'a=1.2345',
    'a=1 b=2',
    'a=("x""y")',
    'a=#',
    'a="tab\there"',
  ])('refuses %j with a typed error', (text) => {
    expect(() => parseDictionary(text)).toThrow(
      expect.objectContaining({ code: 'audiohook.bad_structured_field' }),
    );
  });
});
