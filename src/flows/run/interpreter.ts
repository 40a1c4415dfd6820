/**
 * An interpreter of the Archy subset the kit uses: variables and their scopes, updateData,
 * decision, switch, loop (with loopExit/loopNext), callData, callCommonModule, collectInput,
 * playAudio, audioMonitoring, set/getParticipantData, callTask/jumpToTask/endTask, transferToAcd
 * and disconnect. Whatever touches the outside (data actions, audio, the caller's keys, the clock)
 * goes through a host, so the same interpreter runs `flows run` offline and the sandbox org's IVR.
 */
import { parse } from 'yaml';
import {
  evaluate,
  ExpressionRuntimeError,
  NOT_SET,
  parseExpression,
  toText,
  VARIABLE_KINDS,
  type Audio,
  type Expr,
  type Value,
} from '../expressions/index.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const only = (v: unknown): [string, unknown] | undefined => {
  if (!isObject(v)) return undefined;
  const e = Object.entries(v);
  return e.length === 1 ? e[0] : undefined;
};

export type DataActionResult =
  | { ok: true; outputs: Record<string, unknown> }
  | { ok: false; timeout: boolean; message: string };

export interface RunHost {
  callData(
    action: { category: string; name: string },
    inputs: Record<string, unknown>,
    timeoutMs: number | undefined,
  ): Promise<DataActionResult>;
  /** The YAML of a published (or rendered) common module. */
  module(name: string): string | undefined;
  audioMonitoring(enable: boolean): Promise<void>;
  /** Plays audio to the caller (waits as long as it lasts, at the run's speed). */
  play(audio: Audio, label: string): Promise<void>;
  /** The caller's key presses for a collect input; undefined = no input before the timeout. */
  collectDigits(prompt: Audio, maxDigits: number, noEntryTimeoutMs: number): Promise<string | undefined>;
  setParticipantData(name: string, value: string): void;
  getParticipantData(name: string): string | undefined;
  transfer(queue: string): Promise<void>;
  disconnect(): void;
  now(): Date;
  /** A transcript line (never a secure value). */
  log(kind: TranscriptKind, text: string): void;
}

export type TranscriptKind = 'prompt' | 'input' | 'data' | 'module' | 'monitoring' | 'participant' | 'transfer' | 'disconnect' | 'error' | 'note';

export interface Builtins {
  ani: string;
  conversationId: string;
  /** Call.Language; default the flow's defaultLanguage. */
  language?: string;
  dnis?: string;
}

/** A host throws this when the call is over (the caller hung up): the flow stops where it is. */
export class CallEnded extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CallEnded';
  }
}

export type Ending =
  | { kind: 'transfer'; queue: string }
  | { kind: 'disconnect'; reason: string }
  | { kind: 'error'; message: string };

/** Control flow inside a run: loop exits and the end of the call unwind the action stack. */
class Signal extends Error {
  constructor(
    readonly kind: 'loopExit' | 'loopNext' | 'endTask' | 'end',
    readonly ending?: Ending,
  ) {
    super(kind);
  }
}

interface Variable {
  name: string;
  type: string;
  value: Value;
}

class Frame {
  readonly vars = new Map<string, Variable>();
  constructor(
    readonly flowKey: string,
    readonly body: Json,
  ) {}
}

/** Bounds every loop in a run: a flow cannot run more iterations than this, whatever it says. */
export const MAX_LOOP_ITERATIONS = 10_000;

/** Parsed flows by their text: a call enters two modules, and an org runs the same flows on every call. */
const parsedFlows = new Map<string, unknown>();
const PARSED_FLOWS_KEPT = 50;

/** The YAML's tree (read only: the interpreter never changes it). */
function parseFlow(text: string): unknown {
  let tree = parsedFlows.get(text);
  if (tree === undefined) {
    tree = parse(text) as unknown;
    if (parsedFlows.size >= PARSED_FLOWS_KEPT) parsedFlows.delete(parsedFlows.keys().next().value!);
    parsedFlows.set(text, tree);
  }
  return tree;
}

export class FlowInterpreter {
  private readonly exprCache = new Map<string, Expr>();
  /** Loop iterations actually run, by loop name (tests check the polling bound with it). */
  readonly loopIterations = new Map<string, number>();

  constructor(
    private readonly host: RunHost,
    private readonly builtins: Builtins,
  ) {}

  /** Runs a flow from its start-up task to its end. */
  async run(yamlText: string): Promise<Ending> {
    const entry = only(parseFlow(yamlText));
    if (!entry || !isObject(entry[1])) return { kind: 'error', message: 'not an Archy flow' };
    const frame = new Frame(entry[0], entry[1]);
    if (this.builtins.language === undefined && typeof frame.body.defaultLanguage === 'string')
      this.builtins.language = frame.body.defaultLanguage;
    try {
      this.declare(frame, frame.body.variables);
      await this.startUp(frame);
      return { kind: 'disconnect', reason: 'the flow ended' };
    } catch (err) {
      if (err instanceof Signal && err.ending) return err.ending;
      if (err instanceof Signal) return { kind: 'disconnect', reason: 'the flow ended' };
      if (err instanceof CallEnded) {
        this.host.log('disconnect', err.message);
        return { kind: 'disconnect', reason: err.message };
      }
      const message = err instanceof Error ? err.message : String(err);
      this.host.log('error', `flow error: ${message}`);
      // settingsErrorHandling: the kit's flows play the pre-handling audio and disconnect.
      const handling = isObject(frame.body.settingsErrorHandling) ? frame.body.settingsErrorHandling : {};
      if (handling.preHandlingAudio !== undefined) {
        const audio = this.audio(frame, handling.preHandlingAudio, undefined);
        if (audio) await this.host.play(audio, 'error handling').catch((e: unknown) => {
          if (!(e instanceof CallEnded)) throw e;
        });
      }
      this.host.disconnect();
      return { kind: 'error', message };
    }
  }

  private async startUp(frame: Frame, taskVars?: Map<string, Variable>): Promise<void> {
    const ref = typeof frame.body.startUpRef === 'string' ? frame.body.startUpRef : '';
    await this.runTask(frame, this.taskId(ref), taskVars);
  }

  private taskId(ref: string): string {
    const m = /task\[([^\]]+)\]$/.exec(ref);
    if (!m) throw new ExpressionRuntimeError(`${ref} is not a task reference`);
    return m[1]!;
  }

  private async runTask(frame: Frame, refId: string, _taskVars?: Map<string, Variable>): Promise<void> {
    const tasks = Array.isArray(frame.body.tasks) ? frame.body.tasks : [];
    const task = tasks.map((t) => (isObject(t) ? t.task : undefined)).find((t) => isObject(t) && t.refId === refId);
    if (!isObject(task)) throw new ExpressionRuntimeError(`task ${refId} does not exist`);
    // Task variables start afresh each time the task starts.
    for (const key of [...frame.vars.keys()]) if (key.startsWith('task.')) frame.vars.delete(key);
    this.declare(frame, task.variables);
    try {
      await this.actions(frame, task.actions);
    } catch (err) {
      if (err instanceof Signal && err.kind === 'endTask') return;
      throw err;
    }
  }

  private declare(frame: Frame, list: unknown): void {
    for (const item of Array.isArray(list) ? list : []) {
      const d = only(item);
      if (!d || !isObject(d[1]) || typeof d[1].name !== 'string') continue;
      const kind = d[0].replace(/Variable$/, '');
      const type = VARIABLE_KINDS[kind] ?? 'unknown';
      const init = d[1].initialValue;
      frame.vars.set(d[1].name.toLowerCase(), {
        name: d[1].name,
        type,
        value: init === undefined ? NOT_SET : this.value(frame, init, type),
      });
    }
  }

  private expr(text: string): Expr {
    let e = this.exprCache.get(text);
    if (!e) {
      const r = parseExpression(text);
      if (!r.ok) throw new ExpressionRuntimeError(`bad expression "${text}": ${r.problem.message}`);
      e = r.expr;
      this.exprCache.set(text, e);
    }
    return e;
  }

  private read(frame: Frame) {
    return (name: string): Value | undefined => {
      const v = frame.vars.get(name.toLowerCase());
      if (v) return v.value;
      switch (name.toLowerCase()) {
        case 'call.ani':
          return this.builtins.ani;
        case 'call.conversationid':
          return this.builtins.conversationId;
        case 'call.language':
          return this.builtins.language ?? '';
        case 'call.calledaddress':
          return this.builtins.dnis ?? '';
        default:
          return undefined;
      }
    };
  }

  /** The value of a `lit` / `exp` / `noValue` node. */
  private value(frame: Frame, node: unknown, type: string): Value {
    const form = only(node);
    if (!form) return NOT_SET;
    const [k, v] = form;
    if (k === 'noValue') return NOT_SET;
    if (k === 'exp') return evaluate(this.expr(String(v)), { read: this.read(frame), now: () => this.host.now() });
    if (k === 'lit') {
      if (type === 'duration' && isObject(v)) return { kind: 'duration', ms: durationMs(v) };
      if (type === 'queue' && isObject(v)) return { kind: 'queue', name: String(v.name) };
      if (v === null || v === undefined) return type === 'string' ? '' : NOT_SET;
      return v as Value;
    }
    if (k === 'tts') return { kind: 'audio', parts: [{ tts: String(v) }] };
    return NOT_SET;
  }

  private audio(frame: Frame, node: unknown, _label: string | undefined): Audio | undefined {
    const v = this.value(frame, node, 'audio');
    if (v === NOT_SET) return undefined;
    if (isObject(v) && v.kind === 'audio') return v as unknown as Audio;
    return { kind: 'audio', parts: [{ tts: toText(v) }] };
  }

  private assign(frame: Frame, name: string, value: Value): void {
    const v = frame.vars.get(name.toLowerCase());
    if (!v) throw new ExpressionRuntimeError(`${name} is not declared`);
    v.value = coerce(value, v.type);
  }

  private async actions(frame: Frame, list: unknown): Promise<void> {
    for (const item of Array.isArray(list) ? list : []) {
      const a = only(item);
      if (!a) continue;
      await this.action(frame, a[0], isObject(a[1]) ? a[1] : {});
    }
  }

  private async branch(frame: Frame, body: Json, output: string): Promise<void> {
    const outputs = isObject(body.outputs) ? body.outputs : {};
    const out = outputs[output];
    if (isObject(out)) await this.actions(frame, out.actions);
  }

  private async action(frame: Frame, key: string, body: Json): Promise<void> {
    const label = typeof body.name === 'string' ? body.name : key;
    switch (key) {
      case 'updateData':
        for (const s of Array.isArray(body.statements) ? body.statements : []) {
          const st = only(s);
          if (!st || !isObject(st[1])) continue;
          this.assign(frame, String(st[1].variable), this.value(frame, st[1].value, VARIABLE_KINDS[st[0]] ?? 'unknown'));
        }
        return;
      case 'decision': {
        const c = this.value(frame, body.condition, 'boolean');
        if (typeof c !== 'boolean') throw new ExpressionRuntimeError(`decision "${label}": the condition is not a boolean`);
        await this.branch(frame, body, c ? 'yes' : 'no');
        return;
      }
      case 'switch': {
        const cases = (body.evaluate as Json | undefined)?.firstTrue;
        for (const c of Array.isArray((cases as Json | undefined)?.cases) ? ((cases as Json).cases as unknown[]) : []) {
          const inner = isObject(c) ? c.case : undefined;
          if (isObject(inner) && this.value(frame, inner.value, 'boolean') === true) {
            await this.actions(frame, inner.actions);
            return;
          }
        }
        await this.branch(frame, body, 'default');
        return;
      }
      case 'loop': {
        const count = Number(this.value(frame, body.loopCount, 'integer'));
        const limit = Math.min(Number.isFinite(count) ? count : 0, MAX_LOOP_ITERATIONS);
        const index = isObject(body.currentIndex) ? body.currentIndex.var : undefined;
        for (let i = 0; i < limit; i++) {
          if (typeof index === 'string') this.assign(frame, index, i);
          this.loopIterations.set(label, (this.loopIterations.get(label) ?? 0) + 1);
          try {
            await this.branch(frame, body, 'loop');
          } catch (err) {
            if (err instanceof Signal && err.kind === 'loopExit') break;
            if (err instanceof Signal && err.kind === 'loopNext') continue;
            throw err;
          }
        }
        return;
      }
      case 'loopExit':
        throw new Signal('loopExit');
      case 'loopNext':
        throw new Signal('loopNext');
      case 'endTask':
        throw new Signal('endTask');
      case 'callTask':
        await this.runTask(frame, this.taskId(String(body.targetTaskRef)));
        return;
      case 'jumpToTask':
        await this.runTask(frame, this.taskId(String(body.targetTaskRef)));
        throw new Signal('endTask');
      case 'playAudio': {
        const audio = this.audio(frame, body.audio, label);
        if (audio) await this.host.play(audio, label);
        return;
      }
      case 'audioMonitoring': {
        const on = this.value(frame, body.enableMonitoring, 'boolean') === true;
        this.host.log('monitoring', `audio monitoring ${on ? 'on' : 'off'}`);
        await this.host.audioMonitoring(on);
        return;
      }
      case 'collectInput':
        return this.collectInput(frame, label, body);
      case 'setParticipantData':
        for (const a of Array.isArray(body.attributes) ? body.attributes : []) {
          const attr = isObject(a) ? a.attribute : undefined;
          if (!isObject(attr)) continue;
          const name = toText(this.value(frame, attr.name, 'string'));
          const value = toText(this.value(frame, attr.value, 'string'));
          this.host.setParticipantData(name, value);
          this.host.log('participant', `${name} = ${value}`);
        }
        return;
      case 'getParticipantData':
        for (const a of Array.isArray(body.attributes) ? body.attributes : []) {
          const attr = isObject(a) ? a.attribute : undefined;
          if (!isObject(attr) || typeof attr.variable !== 'string') continue;
          const got = this.host.getParticipantData(toText(this.value(frame, attr.name, 'string')));
          this.assign(frame, attr.variable, got ?? NOT_SET);
        }
        return;
      case 'callData':
        return this.callData(frame, label, body);
      case 'callCommonModule':
        return this.callModule(frame, label, body);
      case 'transferToAcd': {
        const q = this.value(frame, body.targetQueue, 'queue');
        const queue = toText(q);
        const pre = this.audio(frame, body.preTransferAudio, label);
        if (pre) await this.host.play(pre, label);
        this.host.log('transfer', `transfer to queue ${queue}`);
        await this.host.transfer(queue);
        throw new Signal('end', { kind: 'transfer', queue });
      }
      case 'disconnect':
        this.host.log('disconnect', 'disconnect');
        this.host.disconnect();
        throw new Signal('end', { kind: 'disconnect', reason: label });
      default:
        this.host.log('note', `${key} "${label}" is not run by the kit's interpreter; skipped`);
    }
  }

  private async collectInput(frame: Frame, label: string, body: Json): Promise<void> {
    const digits = isObject(body.digits) ? body.digits : {};
    const max = Number(digits.exact ?? digits.max ?? 1);
    const prompt = this.audio(frame, body.inputAudio, label) ?? { kind: 'audio' as const, parts: [] };
    const timeout = this.value(frame, body.noEntryTimeout, 'duration');
    const timeoutMs = isObject(timeout) && typeof (timeout as Json).ms === 'number' ? ((timeout as Json).ms as number) : 5000;
    const got = await this.host.collectDigits(prompt, max, timeoutMs);
    const target = isObject(body.inputData) ? body.inputData.var : undefined;
    if (got === undefined || got.length === 0 || (digits.exact !== undefined && got.length !== Number(digits.exact))) {
      this.host.log('input', `${label}: no input`);
      await this.branch(frame, body, 'failure');
      return;
    }
    this.host.log('input', `${label}: pressed ${got}`);
    if (typeof target === 'string') this.assign(frame, target, got);
    await this.branch(frame, body, 'success');
  }

  private async callData(frame: Frame, label: string, body: Json): Promise<void> {
    const cat = only(body.category);
    const da = cat && isObject(cat[1]) ? only(cat[1].dataAction) : undefined;
    if (!cat || !da) throw new ExpressionRuntimeError(`callData "${label}" names no data action`);
    const spec = isObject(da[1]) ? da[1] : {};
    const inputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(isObject(spec.inputs) ? spec.inputs : {})) {
      const value = this.value(frame, v, 'unknown');
      if (value !== NOT_SET) inputs[k] = plain(value);
    }
    const timeout = body.timeout === undefined ? undefined : this.value(frame, body.timeout, 'duration');
    const timeoutMs = isObject(timeout) ? ((timeout as Json).ms as number) : undefined;
    const result = await this.host.callData({ category: cat[0], name: da[0] }, inputs, timeoutMs);
    if (!result.ok) {
      this.host.log('data', `${da[0]} (${label}): ${result.timeout ? 'timeout' : 'failure'}: ${result.message}`);
      await this.branch(frame, body, result.timeout ? 'timeout' : 'failure');
      return;
    }
    this.host.log('data', `${da[0]} (${label}): success`);
    for (const [k, v] of Object.entries(isObject(spec.successOutputs) ? spec.successOutputs : {})) {
      if (isObject(v) && typeof v.var === 'string' && k in result.outputs) {
        const out = result.outputs[k];
        this.assign(frame, v.var, out === null || out === undefined ? NOT_SET : (out as Value));
      }
    }
    await this.branch(frame, body, 'success');
  }

  private async callModule(frame: Frame, label: string, body: Json): Promise<void> {
    const mod = only(body.commonModule);
    if (!mod) throw new ExpressionRuntimeError(`callCommonModule "${label}" names no module`);
    const text = this.host.module(mod[0]);
    if (text === undefined) throw new ExpressionRuntimeError(`common module "${mod[0]}" is not published`);
    const root = only(parseFlow(text));
    if (!root || !isObject(root[1])) throw new ExpressionRuntimeError(`common module "${mod[0]}" is not a flow`);
    const version = only(mod[1]);
    const io = version && isObject(version[1]) ? version[1] : {};
    const child = new Frame(root[0], root[1]);
    this.declare(child, child.body.variables);
    for (const [k, v] of Object.entries(isObject(io.inputs) ? io.inputs : {})) {
      this.assign(child, k, this.value(frame, v, 'unknown'));
    }
    this.host.log('module', `enter ${mod[0]}`);
    await this.startUp(child);
    this.host.log('module', `leave ${mod[0]}`);
    for (const [k, v] of Object.entries(isObject(io.outputs) ? io.outputs : {})) {
      if (isObject(v) && typeof v.var === 'string') this.assign(frame, v.var, child.vars.get(k.toLowerCase())?.value ?? NOT_SET);
    }
  }
}

function durationMs(v: Json): number {
  const n = (k: string) => (typeof v[k] === 'number' ? (v[k]) : 0);
  return n('ms') + n('seconds') * 1000 + n('minutes') * 60_000 + n('hours') * 3_600_000 + n('days') * 86_400_000;
}

/** A value as it goes into a data action's JSON input. */
function plain(v: Value): unknown {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return toText(v);
}

/** Architect converts a value to the variable's type on assignment (the kit's flows rely on few). */
function coerce(v: Value, type: string): Value {
  if (v === NOT_SET) return v;
  if (type === 'string' && typeof v !== 'string') return toText(v);
  if ((type === 'integer' || type === 'decimal') && typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return v;
}
