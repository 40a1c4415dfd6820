import { connectionError, SignInRequiredError, WidgetError } from '../core/errors.js';
import type { IvrResult } from '../core/platform.js';

/**
 * The three Platform API reads the widget needs, with fetch: the Platform SDK
 * (purecloud-platform-client-v2) is about 140 KB gzip, more than twice the widget's whole budget.
 * Genesys' JSON shapes; only the fields used here are read.
 */
export interface GenesysUser {
  id: string;
  name?: string;
}

export interface GenesysParticipant {
  id?: string;
  purpose?: string;
  userId?: string;
  ani?: string;
  attributes?: Record<string, string>;
  endTime?: string;
  state?: string;
  calls?: { state?: string }[];
}

export interface GenesysConversation {
  id: string;
  participants?: GenesysParticipant[];
}

export class PlatformApi {
  constructor(
    private readonly apiBase: string,
    private readonly token: () => string | null,
  ) {}

  async get<T>(path: string): Promise<T> {
    const token = this.token();
    if (!token) throw new SignInRequiredError('auth.missing_token', 'not signed in');
    let response: Response;
    try {
      response = await fetch(`${this.apiBase}${path}`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      throw connectionError('genesys.unreachable', `Genesys Cloud could not be reached: ${String(err)}`);
    }
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (response.status === 401) {
      throw new SignInRequiredError(
        'auth.invalid_token',
        'Genesys Cloud refused the token (expired or revoked)',
      );
    }
    if (!response.ok) {
      const code = typeof body?.code === 'string' ? body.code : `http.${response.status}`;
      const message = typeof body?.message === 'string' ? body.message : `answered ${response.status}`;
      throw new WidgetError('connection', `genesys.${code}`, `Genesys Cloud ${path}: ${message}`, body);
    }
    return body as T;
  }

  me(): Promise<GenesysUser> {
    return this.get<GenesysUser>('/api/v2/users/me');
  }

  conversation(id: string): Promise<GenesysConversation> {
    return this.get<GenesysConversation>(`/api/v2/conversations/${encodeURIComponent(id)}`);
  }
}

/** The caller: the customer participant (`external` for some outbound calls). */
export function customerOf(conversation: GenesysConversation): GenesysParticipant | undefined {
  const participants = conversation.participants ?? [];
  return (
    participants.find((p) => p.purpose === 'customer') ?? participants.find((p) => p.purpose === 'external')
  );
}

const IVR_PREFIX = 'daspeak.';

/**
 * The IVR's result, from the participant data the kit's flows set on the customer (contract F:
 * `daspeak.operation`, `daspeak.result`, `daspeak.score`, …, all strings). None when the call did
 * not come through the kit's flows.
 */
export function ivrResultOf(participant: GenesysParticipant | undefined): IvrResult | undefined {
  const a = participant?.attributes;
  const result = a?.[`${IVR_PREFIX}result`];
  if (!a || typeof result !== 'string' || result.trim() === '') return undefined;
  const number = (key: string) => {
    const raw = a[`${IVR_PREFIX}${key}`];
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const text = (key: string) => {
    const raw = a[`${IVR_PREFIX}${key}`];
    return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
  };
  const operation = text('operation');
  const score = number('score');
  const authenticity = number('authenticity');
  const reason = text('reason');
  const at = text('at');
  return {
    result: result.trim(),
    ...(operation === 'register' || operation === 'verify' ? { operation } : {}),
    ...(score !== undefined ? { score } : {}),
    ...(authenticity !== undefined ? { authenticity } : {}),
    ...(reason ? { reason } : {}),
    ...(at ? { at } : {}),
  };
}
