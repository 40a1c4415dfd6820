import { CallEnded, ScriptedCallHost, type DataActionResult } from '../../../flows/run/index.js';
import type { ActionExecutionResult } from '../actions/executor.js';
import { runAction } from '../actions/run.js';
import type { SandboxContext } from '../http/context.js';
import type { ConversationRecord, ParticipantRecord } from '../state/model.js';

export interface SandboxIvrHostOptions {
  ctx: SandboxContext;
  conversation: ConversationRecord;
  dtmf: string[];
  speed: number;
  hangUp: AbortSignal;
  /** Audio Monitoring turned on: the org starts the call's Audiohook streams. */
  monitor(): void;
  /** The flow's Transfer to ACD: the call joins the queue (by name); throws when there is none. */
  enqueue(queueName: string): void;
}

const lower = (s: string) => s.toLowerCase();

/** Timeouts of the data action service: the flow takes its timeout path, not its failure path. */
function timedOut(result: Extract<ActionExecutionResult, { ok: false }>): boolean {
  return result.status === 504 || result.status === 408 || /timeout/i.test(result.code ?? '');
}

/**
 * The sandbox org's side of a call in its IVR: data actions are the org's published actions run by
 * its action executor (as `…/execute` runs them, inputs and outputs checked against the contract),
 * common modules are its published modules, participant data goes on the conversation's customer
 * participant (`attributes` in GET /api/v2/conversations/{id}), Audio Monitoring is the call's
 * Audiohook stream to the org's integrations.
 */
export class SandboxIvrHost extends ScriptedCallHost {
  private readonly customer: ParticipantRecord | undefined;

  constructor(private readonly o: SandboxIvrHostOptions) {
    super({ dtmf: o.dtmf, speed: o.speed, hangUp: o.hangUp });
    this.customer = o.conversation.participants.find((p) => p.purpose === 'customer');
  }

  async callData(
    action: { category: string; name: string },
    inputs: Record<string, unknown>,
    timeoutMs: number | undefined,
  ): Promise<DataActionResult> {
    const found = this.o.ctx.store.state.actions.find(
      (a) =>
        a.published !== undefined &&
        lower(a.published.category) === lower(action.category) &&
        lower(a.published.name) === lower(action.name),
    );
    if (!found) {
      return {
        ok: false,
        timeout: false,
        message: `the org has no published data action ${action.category} / ${action.name}`,
      };
    }
    const run = runAction(this.o.ctx, found, 'published', inputs).then(
      (outcome): DataActionResult => {
        if (outcome.kind === 'input-invalid')
          return { ok: false, timeout: false, message: `input: ${outcome.problems.join('; ')}` };
        const r = outcome.result;
        if (r.ok) return { ok: true, outputs: (r.output ?? {}) as Record<string, unknown> };
        return { ok: false, timeout: timedOut(r), message: `${r.status} ${r.code ?? ''}: ${r.message}` };
      },
      (err: unknown): DataActionResult => ({
        ok: false,
        timeout: false,
        message: err instanceof Error ? err.message : String(err),
      }),
    );
    return this.timed(run, timeoutMs);
  }

  module(name: string): string | undefined {
    return this.o.ctx.store.state.flows.find(
      (f) => f.type === 'commonmodule' && lower(f.name) === lower(name),
    )?.yaml;
  }

  async audioMonitoring(enable: boolean): Promise<void> {
    this.live();
    if (enable) this.o.monitor();
  }

  override setParticipantData(name: string, value: string): void {
    super.setParticipantData(name, value);
    if (!this.customer) return;
    this.customer.attributes = { ...this.customer.attributes, [name]: value };
    this.o.ctx.store.changed();
  }

  override getParticipantData(name: string): string | undefined {
    return this.customer?.attributes?.[name] ?? super.getParticipantData(name);
  }

  async transfer(queue: string): Promise<void> {
    if (this.o.hangUp.aborted) throw new CallEnded('the caller hung up');
    this.o.enqueue(queue);
  }
}
