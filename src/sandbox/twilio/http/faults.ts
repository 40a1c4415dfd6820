import { Type, type Static } from '@sinclair/typebox';
import { IntegerEnum } from '../../genesys/body.js';

/**
 * One injected fault (`POST /sandbox/faults`): the next `count` Twilio API requests (paths under
 * `pathPrefix`, default every Twilio route, never /sandbox) answer `status` (429 with Retry-After, or
 * 503), or only wait `delayMs` first when no status is given (a slow reply). Rules are used in the order
 * they were posted, so a test can ask for a 429 and then a 503.
 */
export const FaultRuleSchema = Type.Object(
  {
    status: Type.Optional(IntegerEnum([429, 500, 503] as const)),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    retryAfter: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    pathPrefix: Type.Optional(Type.String({ minLength: 1, pattern: '^/' })),
  },
  { additionalProperties: false },
);
export type FaultRule = Static<typeof FaultRuleSchema>;

export interface FaultDecision {
  delayMs: number;
  status?: 429 | 500 | 503;
  retryAfter: number;
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

/** The fault rules in force and what they have served. */
export class TwilioFaults {
  private rules: ActiveRule[] = [];
  private readonly served: Record<string, number> = {};

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.count ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  snapshot() {
    return {
      rules: this.rules.map((r) => ({ ...r })),
      served: { ...this.served },
    };
  }

  /** The fate of one Twilio API request: the first rule whose prefix matches spends one of its count. */
  decide(path: string): FaultDecision {
    const rule = this.rules.find((r) => path.startsWith(r.pathPrefix ?? '/'));
    if (!rule) return { delayMs: 0, retryAfter: 0 };
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
    const key = rule.status === undefined ? 'slow' : String(rule.status);
    this.served[key] = (this.served[key] ?? 0) + 1;
    return {
      delayMs: rule.delayMs ?? 0,
      ...(rule.status !== undefined ? { status: rule.status } : {}),
      retryAfter: rule.retryAfter ?? 1,
    };
  }
}
