import { Type, type Static } from '@sinclair/typebox';
import { IntegerEnum, StringEnum } from '../body.js';

/**
 * Faults a sandbox injects so clients can prove their retries: latency, a share of 5xx answers,
 * the next N requests failing, bursts of 429. Set by options or `POST /sandbox/faults`.
 */
export const FaultSettingsSchema = Type.Object(
  {
    latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    /** Only the next N affected requests wait `latencyMs` (default: every one does). */
    slowNext: Type.Optional(Type.Integer({ minimum: 0 })),
    errorRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    errorStatus: Type.Optional(IntegerEnum([500, 502, 503, 504] as const)),
    failNext: Type.Optional(Type.Integer({ minimum: 0 })),
    rateLimitNext: Type.Optional(Type.Integer({ minimum: 0 })),
    retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    /** Only requests whose path starts with this are affected (default `/api/v2/`). */
    pathPrefix: Type.Optional(Type.String({ minLength: 1 })),
    /** Only these methods are affected (default: all). */
    methods: Type.Optional(Type.Array(StringEnum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const))),
  },
  { additionalProperties: false },
);
export type FaultSettings = Static<typeof FaultSettingsSchema>;

export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'error'; delayMs: number; status: number }
  | { kind: 'rate-limit'; delayMs: number; retryAfterSeconds: number };

export class FaultInjector {
  private settings: FaultSettings;

  constructor(
    settings: FaultSettings = {},
    private readonly random: () => number = Math.random,
  ) {
    this.settings = { ...settings };
  }

  get(): FaultSettings {
    return { ...this.settings };
  }

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
  }

  /** Decides the fate of one request; counts down `failNext` and `rateLimitNext`. */
  decide(method: string, path: string): FaultDecision {
    const s = this.settings;
    const prefix = s.pathPrefix ?? '/api/v2/';
    if (!path.startsWith(prefix)) return { kind: 'none', delayMs: 0 };
    if (s.methods && !(s.methods as readonly string[]).includes(method)) {
      return { kind: 'none', delayMs: 0 };
    }
    let delayMs = s.latencyMs ?? 0;
    if (s.slowNext !== undefined) {
      if (s.slowNext > 0) s.slowNext -= 1;
      else delayMs = 0;
    }
    if (s.rateLimitNext && s.rateLimitNext > 0) {
      s.rateLimitNext -= 1;
      return { kind: 'rate-limit', delayMs, retryAfterSeconds: s.retryAfterSeconds ?? 1 };
    }
    const status = s.errorStatus ?? 503;
    if (s.failNext && s.failNext > 0) {
      s.failNext -= 1;
      return { kind: 'error', delayMs, status };
    }
    if (s.errorRatio && this.random() < s.errorRatio) return { kind: 'error', delayMs, status };
    return { kind: 'none', delayMs };
  }
}
