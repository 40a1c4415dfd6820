import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import platformClient from 'purecloud-platform-client-v2';
import { GenesysApiError, toGenesysApiError, type RequestTarget } from './errors.js';
import { sdkEndpoints } from './endpoints.js';
import { FinalFailure, withRetries, type RetryContext } from './retry-loop.js';
import type { InstrumentedHttpClient } from './transport.js';

/** The token endpoint's answer to a client-credentials grant (extra fields are allowed). */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String({ minLength: 1 }),
  expires_in: Type.Number({ exclusiveMinimum: 0 }),
  token_type: Type.Optional(Type.String()),
});
export type TokenResponse = Static<typeof TokenResponseSchema>;

let validateTokenResponse: ValidateFunction<TokenResponse> | undefined;
function isTokenResponse(value: unknown): value is TokenResponse {
  validateTokenResponse ??= new Ajv({ allErrors: true, strict: true }).compile<TokenResponse>(
    TokenResponseSchema,
  );
  return validateTokenResponse(value);
}

export interface TokenManagerOptions {
  sdk: platformClient.ApiClientClass;
  transport: InstrumentedHttpClient;
  clientId: string;
  clientSecret: string;
  /** Refresh this long before expiry (at most half the token's lifetime). */
  refreshMarginMs: number;
  timeoutMs: number;
  retry: RetryContext;
}

interface HeldToken {
  generation: number;
  refreshAt: number;
}

/**
 * Client-credentials tokens for one org. Every attempt asks `current()` first: it logs in when
 * there is no token or the token is about to expire, and concurrent callers share that one login.
 * The token itself lives only inside the SDK client (`setAccessToken`); this keeps its generation
 * and refresh time, so a 401 can drop exactly the token that was refused.
 */
export class TokenManager {
  private held: HeldToken | undefined;
  private pending: Promise<HeldToken> | undefined;
  private generation = 0;

  constructor(private readonly options: TokenManagerOptions) {}

  /** The generation of a usable token, logging in first when needed. */
  async current(): Promise<number> {
    const held = this.held;
    if (held && this.options.retry.clock() < held.refreshAt) return held.generation;
    this.pending ??= this.login().finally(() => {
      this.pending = undefined;
    });
    return (await this.pending).generation;
  }

  /** Forgets the token of this generation (refused with 401), so the next current() logs in. */
  invalidate(generation: number): void {
    if (this.held?.generation === generation) this.held = undefined;
  }

  private async login(): Promise<HeldToken> {
    const { sdk, transport, clientId, clientSecret, timeoutMs, retry } = this.options;
    const url = `${sdkEndpoints(sdk).login}/oauth/token`;
    const target: RequestTarget = { method: 'POST', path: new URL(url).pathname };
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const response = await withRetries(
      retry,
      async () => {
        const request = new platformClient.HttpRequestOptions(
          url,
          'POST',
          { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
          {},
          'grant_type=client_credentials',
          timeoutMs,
        );
        try {
          return await transport.sendLogin(request);
        } catch (raw) {
          const error = toGenesysApiError(raw, target);
          if (error.status === 400 || error.status === 401) throw new FinalFailure(this.loginFailed(error));
          throw error;
        }
      },
      // Asking for a token twice changes nothing, so 5xx and network failures are retried too.
      { idempotent: () => true, description: 'client-credentials login' },
    );
    const body: unknown = response.data;
    if (!isTokenResponse(body)) {
      throw new GenesysApiError(
        'genesys.login_invalid_response',
        `The token endpoint ${target.path} answered ${response.status} without access_token and expires_in`,
        {
          status: response.status,
          target,
          hint: 'check genesys.baseUrl or genesys.region points at Genesys Cloud',
        },
      );
    }
    sdk.setAccessToken(body.access_token);
    const lifetimeMs = body.expires_in * 1000;
    const margin = Math.min(this.options.refreshMarginMs, lifetimeMs / 2);
    this.generation += 1;
    this.held = { generation: this.generation, refreshAt: retry.clock() + lifetimeMs - margin };
    return this.held;
  }

  /** A refused login, with the secret scrubbed in case a server echoed it back. */
  private loginFailed(error: GenesysApiError): GenesysApiError {
    const scrub = (text: string | undefined) =>
      text === undefined || this.options.clientSecret === ''
        ? text
        : text.split(this.options.clientSecret).join('[redacted]');
    return new GenesysApiError(
      'genesys.login_failed',
      scrub(`Genesys Cloud refused the client-credentials login: ${error.message}`) ?? '',
      {
        status: error.status,
        genesysCode: error.genesysCode,
        genesysMessage: scrub(error.genesysMessage),
        correlationId: error.correlationId,
        target: error.method && error.path ? { method: error.method, path: error.path } : undefined,
        hint: 'check genesys.clientId and genesys.clientSecret: a client-credentials OAuth client of this org',
      },
    );
  }
}
