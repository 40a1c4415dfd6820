/**
 * Offline validation of Archy YAML flows, with positions. It checks what Architect would refuse at
 * publish time for the vocabulary the kit models (docs/archy-yaml.md), the kit's rule for voice
 * credentials (never in a flow that has no secure variables, which is every flow but secure call and
 * voice bot flows; there only in `Secure.` variables, through secure data actions; never in
 * participant data), and nothing else: an action, key, function or built-in it does not model is a
 * warning, so a valid Archy file is never refused.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import {
  checkExpression,
  parseExpression,
  VARIABLE_KINDS,
  typeName,
  type Expr,
  type ExprType,
  type VariableInfo,
} from '../expressions/index.js';
import {
  child,
  entries,
  entry,
  items,
  offsetInScalar,
  parseSource,
  positionAt,
  scalarText,
  scalarValue,
  startOf,
  type SourceFile,
} from '../archy/tree.js';
import {
  ACTIONS,
  CALL_FLOW_TYPES,
  DATA_ACTION_FAILURE_OUTPUTS,
  FLOW_KEYS,
  FLOW_TYPES,
  VARIABLE_DECLARATION,
  type ActionSpec,
  type KeyKind,
} from '../archy/vocabulary.js';
import { findDataAction, findModule, type Catalog, type ModuleInfo } from './catalog.js';

export type Severity = 'error' | 'warning';

export interface FlowIssue {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  code: string;
  message: string;
  hint?: string;
}

export interface FlowFileInput {
  file: string;
  text: string;
}

/** What a valid file declares, for callers (publishing, running, diagrams). */
export interface FlowSummary {
  file: string;
  flowKey: string;
  /** API type, e.g. `inboundcall`, `commonmodule`. */
  type: string;
  name: string;
  module?: ModuleInfo;
  /** Common modules the flow calls, by name. */
  calls: string[];
}

export interface ValidationResult {
  issues: FlowIssue[];
  flows: FlowSummary[];
  errors: number;
  warnings: number;
}

/** Output and attribute names that carry a voice credential. */
const CREDENTIAL_NAME = /credential/i;

/**
 * The flow types that have secure variables (Genesys help, "Manage a variable": secure variables are
 * "available only in secure call and voice bot flows").
 */
const SECURE_FLOW_TYPES = new Set(['secureCall', 'botFlow']);
const NO_SECURE_HINT =
  'keep the credential out of the flow: let the backend read and use it (the kit\'s Store Registration and Start Verification actions)';

interface Declared extends VariableInfo {
  node: Node;
  isInput: boolean;
  isOutput: boolean;
  /** Task refId for Task. variables. */
  task?: string;
}

interface FlowModel {
  src: SourceFile;
  flowKey: string;
  body: Node;
  name: string;
  flowVars: Map<string, Declared>;
  taskVars: Map<string, Map<string, Declared>>;
  taskRefs: Set<string>;
  menuRefs: Set<string>;
  assigned: Set<string>;
  calls: string[];
}

class Reporter {
  readonly issues: FlowIssue[] = [];
  constructor(private readonly src: SourceFile) {}
  at(offset: number, severity: Severity, code: string, message: string, hint?: string): void {
    const { line, col } = positionAt(this.src, offset);
    this.issues.push({ file: this.src.file, line, col, severity, code, message, ...(hint ? { hint } : {}) });
  }
  node(node: Node | null | undefined, severity: Severity, code: string, message: string, hint?: string): void {
    this.at(startOf(node), severity, code, message, hint);
  }
}

const lower = (s: string) => s.toLowerCase();

function declarationsOf(r: Reporter, list: Node | null | undefined, allowed: string[], task?: string): Map<string, Declared> {
  const out = new Map<string, Declared>();
  if (list !== undefined && list !== null && !isSeq(list)) {
    r.node(list, 'error', 'flow.shape', 'variables must be a list of <kind>Variable entries');
    return out;
  }
  for (const item of items(list)) {
    const [decl] = entries(item);
    if (!decl) continue;
    const m = VARIABLE_DECLARATION.exec(decl.key);
    const kind = m?.[1];
    const type: ExprType | undefined = kind ? VARIABLE_KINDS[kind] : undefined;
    if (!m) {
      r.node(decl.keyNode, 'warning', 'flow.unknown_variable_kind', `"${decl.key}" is not a variable declaration the kit knows`);
      continue;
    }
    if (!type) r.node(decl.keyNode, 'warning', 'flow.unknown_variable_kind', `${decl.key} is a variable kind the kit does not model`);
    const nameNode = child(decl.value, 'name');
    const name = scalarText(nameNode);
    if (!name) {
      r.node(decl.value ?? decl.keyNode, 'error', 'flow.variable_name', `${decl.key} has no name`);
      continue;
    }
    const scope = name.split('.')[0] ?? '';
    if (!name.includes('.') || !allowed.some((s) => lower(s) === lower(scope))) {
      r.node(
        nameNode,
        'error',
        'flow.variable_scope',
        `${name} cannot be declared here: the scope must be ${allowed.join(', ')}`,
        task ? 'task variables are Task.Name (or Secure.Name)' : 'flow variables are Flow.Name (Common.Name in a common module, Secure.Name for secure ones)',
      );
      continue;
    }
    if (out.has(lower(name))) {
      r.node(nameNode, 'error', 'flow.duplicate_variable', `${name} is declared twice`);
      continue;
    }
    out.set(lower(name), {
      name,
      type: type ?? 'unknown',
      secure: lower(scope) === 'secure',
      node: nameNode as Node,
      isInput: scalarValue(child(decl.value, 'isInput')) === true,
      isOutput: scalarValue(child(decl.value, 'isOutput')) === true,
      ...(task ? { task } : {}),
    });
  }
  return out;
}

/** First pass: the flow type, name and the declarations other files need (module I/O). */
function model(src: SourceFile, r: Reporter): FlowModel | undefined {
  if (src.doc.errors.length > 0) {
    for (const e of src.doc.errors) r.at(e.pos[0], 'error', 'yaml.syntax', `YAML: ${e.message.split('\n')[0]}`);
    return undefined;
  }
  const top = entries(src.doc.contents);
  if (!isMap(src.doc.contents) || top.length !== 1) {
    r.node(
      src.doc.contents,
      'error',
      'flow.top_level',
      `an Archy file has exactly one top-level key, the flow type; found ${top.length === 0 ? 'none' : top.map((e) => e.key).join(', ')}`,
      `for example inboundCall: or commonModule:`,
    );
    return undefined;
  }
  const { key: flowKey, keyNode, value: body } = top[0]!;
  if (!FLOW_TYPES[flowKey]) {
    r.node(keyNode, 'error', 'flow.type', `"${flowKey}" is not an Archy flow type`, `known: ${Object.keys(FLOW_TYPES).join(', ')}`);
    return undefined;
  }
  if (!isMap(body)) {
    r.node(body ?? keyNode, 'error', 'flow.shape', `${flowKey} must be a mapping of the flow's settings`);
    return undefined;
  }
  const name = scalarText(child(body, 'name'))?.trim() ?? '';
  if (!name) r.node(keyNode, 'error', 'flow.name', `${flowKey} has no name`, 'add name: <flow name>');
  const flowScopes = flowKey === 'commonModule' ? ['Common', 'Flow', 'Secure'] : ['Flow', 'Secure'];
  const flowVars = declarationsOf(r, child(body, 'variables'), flowScopes);
  const refuseSecure = (vars: Map<string, Declared>) => {
    if (SECURE_FLOW_TYPES.has(flowKey)) return;
    for (const v of vars.values()) {
      if (v.secure)
        r.node(
          v.node,
          'error',
          'security.secure_variable_flow_type',
          `${v.name} cannot be declared in ${flowKey === 'commonModule' ? 'a common module' : `an ${flowKey} flow`}: Architect has secure variables only in secure call and voice bot flows`,
          NO_SECURE_HINT,
        );
    }
  };
  refuseSecure(flowVars);
  const taskVars = new Map<string, Map<string, Declared>>();
  const taskRefs = new Set<string>();
  const menuRefs = new Set<string>();
  for (const [list, kind, refs] of [
    ['tasks', 'task', taskRefs],
    ['menus', 'menu', menuRefs],
  ] as const) {
    for (const item of items(child(body, list))) {
      const node = child(item, kind);
      const refId = scalarText(child(node, 'refId'));
      if (!refId) {
        r.node(item, 'error', 'flow.ref_id', `every ${kind} needs a refId (the name references use)`);
        continue;
      }
      if (refs.has(refId)) r.node(child(node, 'refId'), 'error', 'flow.duplicate_ref', `${kind} refId "${refId}" is used twice`);
      refs.add(refId);
      if (kind === 'task') {
        const vars = declarationsOf(r, child(node, 'variables'), ['Task', 'Secure'], refId);
        refuseSecure(vars);
        taskVars.set(refId, vars);
      }
    }
  }
  return { src, flowKey, body, name, flowVars, taskVars, taskRefs, menuRefs, assigned: new Set(), calls: [] };
}

function moduleSignature(m: FlowModel): ModuleInfo {
  const inputs: Record<string, ExprType> = {};
  const outputs: Record<string, ExprType> = {};
  for (const v of m.flowVars.values()) {
    if (v.isInput) inputs[v.name] = v.type;
    if (v.isOutput) outputs[v.name] = v.type;
  }
  return { name: m.name, inputs, outputs, from: m.src.file };
}

interface TaskCtx {
  task?: string;
  inLoop: boolean;
}

/** Second pass: one flow's settings, tasks and actions. */
class FlowChecker {
  constructor(
    private readonly m: FlowModel,
    private readonly r: Reporter,
    private readonly catalog: Catalog,
  ) {}

  /** Secure call and voice bot flows have secure variables; no other flow type does. */
  private get secureFlow(): boolean {
    return SECURE_FLOW_TYPES.has(this.m.flowKey);
  }

  private get flowKind(): string {
    return this.m.flowKey === 'commonModule' ? 'a common module' : `an ${this.m.flowKey} flow`;
  }

  private lookup(ctx: TaskCtx) {
    return (name: string): VariableInfo | undefined =>
      (ctx.task ? this.m.taskVars.get(ctx.task)?.get(lower(name)) : undefined) ?? this.m.flowVars.get(lower(name));
  }

  private declaredNames(ctx: TaskCtx): string[] {
    const names = [...this.m.flowVars.values()].map((v) => v.name);
    if (ctx.task) names.push(...[...(this.m.taskVars.get(ctx.task)?.values() ?? [])].map((v) => v.name));
    return names;
  }

  /** A variable written by an action; reports undeclared names and names of another task. */
  private writable(ctx: TaskCtx, node: Node | null | undefined, want?: ExprType, strict = false): VariableInfo | undefined {
    const name = scalarText(node);
    if (!name) {
      this.r.node(node, 'error', 'flow.variable', 'a variable name is expected here');
      return undefined;
    }
    const v = this.lookup(ctx)(name);
    if (!v) {
      const other = [...this.m.taskVars.entries()].find(([, vars]) => vars.has(lower(name)));
      this.r.node(
        node,
        'error',
        other ? 'flow.variable_scope' : 'flow.undeclared_variable',
        other ? `${name} belongs to task ${other[0]}, not to this one` : `${name} is not declared`,
        other ? 'declare it in this task, or make it a Flow. variable' : 'declare it under variables (of the flow, or of this task for Task.)',
      );
      return undefined;
    }
    this.m.assigned.add(lower(v.name));
    if (want && !this.fits(want, v.type, strict)) {
      this.r.node(
        node,
        'error',
        'flow.output_type',
        `${v.name} is ${typeName(v.type)}, but it receives ${typeName(want)}`,
        `declare ${v.name} as a ${want} variable`,
      );
    }
    return v;
  }

  private fits(from: ExprType, to: ExprType, strict: boolean): boolean {
    if (from === to || from === 'unknown' || to === 'unknown') return true;
    if (from === 'integer' && to === 'decimal') return true;
    if (strict) return false;
    return to === 'string' && !from.endsWith('Collection');
  }

  /** Parses and checks an `exp:` scalar; reports at the exact position inside the file. */
  private expression(
    ctx: TaskCtx,
    node: Node,
    want: ExprType | undefined,
    allowSecure: boolean,
  ): { expr?: Expr; reads: VariableInfo[]; type: ExprType } {
    const textValue = scalarText(node) ?? '';
    const parsed = parseExpression(textValue);
    if (!parsed.ok) {
      this.r.at(
        offsetInScalar(this.m.src, node, parsed.problem.offset),
        'error',
        'expression.syntax',
        `bad expression: ${parsed.problem.message}`,
        'see docs/archy-yaml.md for the expression syntax the kit checks',
      );
      return { reads: [], type: 'unknown' };
    }
    const checked = checkExpression(parsed.expr, this.lookup(ctx), this.declaredNames(ctx));
    for (const i of checked.issues) {
      this.r.at(offsetInScalar(this.m.src, node, i.start), i.severity, i.code, i.message, i.hint);
    }
    if (want && want !== 'audio' && !this.fits(checked.type, want, false)) {
      this.r.node(node, 'error', 'expression.type', `this expression gives ${typeName(checked.type)}, but ${typeName(want)} is expected`);
    }
    if (!allowSecure) {
      for (const v of checked.reads.filter((x) => x.secure)) {
        this.r.node(
          node,
          'error',
          'security.secure_read',
          `${v.name} is a secure variable: it can only be passed to a secure data action's input`,
          'secure values never go into decisions, prompts, participant data or ordinary variables',
        );
      }
    }
    return { expr: parsed.expr, reads: checked.reads, type: checked.type };
  }

  /** `lit` / `exp` / `noValue` (and, for audio, `tts` / `prompt`). */
  private value(ctx: TaskCtx, node: Node | null | undefined, want: ExprType, where: string, allowSecure = false) {
    const forms = entries(node);
    if (!isMap(node) || forms.length !== 1) {
      this.r.node(
        node,
        'error',
        'flow.value_form',
        `${where} must be one of lit:, exp: or noValue: true`,
        want === 'audio' ? 'audio may also be tts: "text" or prompt: …' : undefined,
      );
      return { reads: [] as VariableInfo[], type: 'unknown' as ExprType };
    }
    const [form] = forms;
    const { key, value } = form!;
    switch (key) {
      case 'exp':
        return this.expression(ctx, value as Node, want, allowSecure);
      case 'noValue':
        if (scalarValue(value) !== true) this.r.node(value, 'error', 'flow.value_form', 'noValue takes true');
        return { reads: [], type: 'unknown' as ExprType };
      case 'lit':
        this.literal(value, want, where);
        return { reads: [], type: want };
      case 'tts':
      case 'prompt':
        if (want !== 'audio') this.r.node(form!.keyNode, 'error', 'flow.value_form', `${key}: is for audio; ${where} is ${typeName(want)}`);
        if (key === 'tts' && typeof scalarValue(value) !== 'string')
          this.r.node(value, 'error', 'flow.value_form', 'tts: takes the text to speak');
        return { reads: [], type: 'audio' as ExprType };
      case 'var':
        this.r.node(form!.keyNode, 'error', 'flow.value_form', `var: names where an action writes; ${where} is read`, 'use exp: Scope.Name to read a variable');
        return { reads: [], type: 'unknown' as ExprType };
      default:
        this.r.node(form!.keyNode, 'warning', 'flow.value_form', `${key}: is a value form the kit does not model`);
        return { reads: [], type: 'unknown' as ExprType };
    }
  }

  private literal(node: Node | null | undefined, want: ExprType, where: string): void {
    const v = scalarValue(node);
    const bad = (what: string) =>
      this.r.node(node, 'error', 'flow.literal_type', `${where} is ${typeName(want)}; ${JSON.stringify(v ?? null)} is ${what}`);
    switch (want) {
      case 'boolean':
        if (typeof v !== 'boolean') bad('not true or false');
        break;
      case 'integer':
        if (typeof v !== 'number' || !Number.isInteger(v)) bad('not a whole number');
        break;
      case 'decimal':
        if (typeof v !== 'number') bad('not a number');
        break;
      case 'string':
        if (!isScalar(node) || v === null || typeof v === 'object') bad('not text');
        break;
      case 'duration': {
        const units = entries(node).map((e) => e.key);
        if (units.length === 0 || units.some((u) => !['ms', 'seconds', 'minutes', 'hours', 'days'].includes(u)))
          this.r.node(node, 'error', 'flow.literal_type', `${where} is a duration: lit: {seconds: N} (or ms, minutes, hours)`);
        break;
      }
      case 'queue':
        if (!scalarText(child(node, 'name'))) this.r.node(node, 'error', 'flow.literal_type', `${where} is a queue: lit: {name: <queue name>}`);
        else if (this.catalog.queues) {
          const q = scalarText(child(node, 'name'))!;
          if (!this.catalog.queues.some((x) => lower(x) === lower(q)))
            this.r.node(child(node, 'name'), 'error', 'flow.unknown_queue', `queue "${q}" does not exist in the org`);
        }
        break;
      default:
        break;
    }
  }

  private binding(ctx: TaskCtx, node: Node | null | undefined, produced: ExprType, where: string, secureOnly: boolean): void {
    const [form] = entries(node);
    if (!isMap(node) || !form || entries(node).length !== 1) {
      this.r.node(node, 'error', 'flow.value_form', `${where} must be var: Scope.Name or noValue: true`);
      return;
    }
    if (form.key === 'noValue') return;
    if (form.key !== 'var') {
      this.r.node(form.keyNode, 'error', 'flow.value_form', `${where} is written by the action: use var: Scope.Name (or noValue: true), not ${form.key}:`);
      return;
    }
    const v = this.writable(ctx, form.value, produced, true);
    if (secureOnly && !this.secureFlow) {
      this.r.node(
        form.value,
        'error',
        'security.credential_in_flow',
        `${where} is a voice credential: in ${this.flowKind} it would sit in a flow variable, visible in flow execution history`,
        NO_SECURE_HINT,
      );
      return;
    }
    if (v && secureOnly && !v.secure) {
      this.r.node(
        form.value,
        'error',
        'security.credential_not_secure',
        `${where} is a voice credential; ${v.name} is not a secure variable`,
        'bind it to a Secure. variable (declared under variables as Secure.Name)',
      );
    }
  }

  checkFlow(): void {
    const { m, r } = this;
    const known = FLOW_KEYS[m.flowKey];
    if (known) {
      for (const e of entries(m.body)) {
        if (!known.includes(e.key))
          r.node(e.keyNode, 'warning', 'flow.unknown_key', `${m.flowKey}.${e.key} is a key the kit does not check`);
      }
    }
    if (CALL_FLOW_TYPES.has(m.flowKey) || m.flowKey === 'commonModule') {
      const langs = entries(child(m.body, 'supportedLanguages')).map((e) => e.key);
      const def = entry(m.body, 'defaultLanguage');
      if (CALL_FLOW_TYPES.has(m.flowKey) && !def) r.node(m.body, 'error', 'flow.language', `${m.flowKey} needs defaultLanguage`);
      else if (def && langs.length > 0 && !langs.includes(scalarText(def.value) ?? '')) {
        r.node(def.value, 'error', 'flow.language', `defaultLanguage ${scalarText(def.value) ?? ''} is not one of supportedLanguages (${langs.join(', ')})`);
      }
    }
    const startUp = entry(m.body, 'startUpRef');
    if (startUp) this.ref(startUp.value, null, 'startUpRef');
    else if (CALL_FLOW_TYPES.has(m.flowKey))
      r.node(m.body, 'error', 'flow.start_up', `${m.flowKey} needs startUpRef: ./tasks/task[<refId>]`);
    for (const setting of ['initialGreeting']) {
      const s = entry(m.body, setting);
      if (s) this.value({ inLoop: false }, s.value, 'audio', setting);
    }
    const preAudio = child(child(m.body, 'settingsErrorHandling'), 'preHandlingAudio');
    if (preAudio) this.value({ inLoop: false }, preAudio, 'audio', 'settingsErrorHandling.preHandlingAudio');
    for (const item of items(child(m.body, 'tasks'))) {
      const task = child(item, 'task');
      const refId = scalarText(child(task, 'refId'));
      this.actions({ ...(refId ? { task: refId } : {}), inLoop: false }, child(task, 'actions'));
    }
    for (const item of items(child(m.body, 'menus'))) {
      r.node(item, 'warning', 'flow.menu_not_checked', 'menus are not checked by the kit (only their references)');
    }
  }

  private ref(node: Node | null | undefined, want: 'task' | 'menu' | null, where: string): void {
    const text = scalarText(node) ?? '';
    const m = /^(?:\.|\/([A-Za-z]+))\/(tasks|menus)\/(task|menu)\[([^\]]+)\]$/.exec(text);
    if (!m || (m[1] !== undefined && m[1] !== this.m.flowKey) || m[2]!.slice(0, -1) !== m[3]) {
      this.r.node(node, 'error', 'flow.bad_ref', `${where} "${text}" is not a reference to a task or menu of this flow`, `write ./tasks/task[<refId>] or /${this.m.flowKey}/tasks/task[<refId>]`);
      return;
    }
    const kind = m[3] as 'task' | 'menu';
    if (want && kind !== want) {
      this.r.node(node, 'error', 'flow.bad_ref', `${where} must point at a ${want}, not a ${kind}`);
      return;
    }
    const refs = kind === 'task' ? this.m.taskRefs : this.m.menuRefs;
    if (!refs.has(m[4]!)) {
      this.r.node(node, 'error', 'flow.dangling_ref', `${where} points at ${kind} "${m[4]}", which this flow does not have`, refs.size > 0 ? `${kind}s: ${[...refs].join(', ')}` : undefined);
    }
  }

  private actions(ctx: TaskCtx, list: Node | null | undefined): void {
    if (list === undefined || list === null) return;
    if (!isSeq(list)) {
      this.r.node(list, 'error', 'flow.shape', 'actions must be a list');
      return;
    }
    for (const item of items(list)) {
      const all = entries(item);
      if (!isMap(item) || all.length !== 1) {
        this.r.node(item, 'error', 'flow.shape', 'each action is a mapping with one key, the action type', 'for example - playAudio: {…}');
        continue;
      }
      this.action(ctx, all[0]!.key, all[0]!.keyNode, all[0]!.value);
    }
  }

  private action(ctx: TaskCtx, key: string, keyNode: Node, body: Node | null): void {
    const spec: ActionSpec | undefined = ACTIONS[key];
    if (!spec) {
      this.r.node(keyNode, 'warning', 'flow.unknown_action', `${key} is an action the kit does not check`);
      // Its nested paths are still checked.
      this.outputs(ctx, child(body, 'outputs'), undefined, key);
      return;
    }
    if (spec.flowTypes && !spec.flowTypes.includes(this.m.flowKey))
      this.r.node(keyNode, 'warning', 'flow.action_flow_type', `${key} is not known to be available in ${this.m.flowKey} flows`);
    if ((key === 'loopExit' || key === 'loopNext') && !ctx.inLoop)
      this.r.node(keyNode, 'error', 'flow.not_in_loop', `${key} is only allowed inside a loop`);
    if (key === 'disconnect' && scalarValue(child(body, 'none')) === true) return;
    if (body !== null && !isMap(body)) {
      this.r.node(body, 'error', 'flow.shape', `${key} must be a mapping of its settings`);
      return;
    }
    for (const req of spec.required ?? []) {
      if (!entry(body, req)) this.r.node(keyNode, 'error', 'flow.missing_key', `${key} needs ${req}`);
    }
    const label = scalarText(child(body, 'name')) ?? key;
    for (const e of entries(body)) {
      const kind: KeyKind | undefined = spec.keys[e.key];
      if (!kind) {
        this.r.node(e.keyNode, 'warning', 'flow.unknown_key', `${key}.${e.key} is a key the kit does not check`);
        continue;
      }
      this.key(ctx, key, label, e.key, kind, e.value, spec);
    }
    this.special(ctx, key, label, body);
  }

  private key(ctx: TaskCtx, action: string, label: string, k: string, kind: KeyKind, v: Node | null, spec: ActionSpec): void {
    const where = `${action} "${label}" ${k}`;
    switch (kind.kind) {
      case 'text':
        if (!isScalar(v)) this.r.node(v, 'error', 'flow.shape', `${where} must be text`);
        break;
      case 'value':
        this.value(ctx, v, kind.type, where);
        break;
      case 'audio':
        this.value(ctx, v, 'audio', where);
        break;
      case 'binding':
        this.binding(ctx, v, kind.type, where, false);
        break;
      case 'ref':
        this.ref(v, kind.target, where);
        break;
      case 'outputs':
        this.outputs({ ...ctx, inLoop: ctx.inLoop || action === 'loop' }, v, spec.outputs, action);
        break;
      default:
        break;
    }
  }

  private outputs(ctx: TaskCtx, node: Node | null | undefined, allowed: string[] | undefined, action: string): void {
    for (const e of entries(node)) {
      if (allowed && !allowed.includes(e.key)) {
        this.r.node(e.keyNode, 'error', 'flow.unknown_output', `${action} has no output "${e.key}"`, allowed.length > 0 ? `its outputs: ${allowed.join(', ')}` : `${action} has no outputs`);
        continue;
      }
      this.actions(ctx, child(e.value, 'actions'));
    }
  }

  private special(ctx: TaskCtx, action: string, label: string, body: Node | null): void {
    switch (action) {
      case 'callData':
        this.callData(ctx, label, body);
        break;
      case 'callCommonModule':
        this.callCommonModule(ctx, label, body);
        break;
      case 'updateData':
        this.updateData(ctx, body);
        break;
      case 'setParticipantData':
        this.participantData(ctx, body, 'set');
        break;
      case 'getParticipantData':
        this.participantData(ctx, body, 'get');
        break;
      case 'collectInput': {
        const digits = entry(body, 'digits');
        const keys = entries(digits?.value).map((e) => e.key);
        if (digits && (keys.length === 0 || keys.some((k) => !['exact', 'min', 'max'].includes(k))))
          this.r.node(digits.value, 'error', 'flow.shape', 'digits is {exact: N} or {min: N, max: M}');
        break;
      }
      case 'switch': {
        const cases = child(child(child(body, 'evaluate'), 'firstTrue'), 'cases');
        if (entry(body, 'evaluate') && !isSeq(cases)) {
          this.r.node(child(body, 'evaluate'), 'error', 'flow.shape', 'switch evaluate is firstTrue: {cases: [- case: {value, actions}]}');
        }
        for (const c of items(cases)) {
          const inner = child(c, 'case');
          this.value(ctx, child(inner, 'value'), 'boolean', `switch "${label}" case`);
          this.actions(ctx, child(inner, 'actions'));
        }
        break;
      }
      default:
        break;
    }
  }

  private single(node: Node | null | undefined, what: string, shape: string) {
    const all = entries(node);
    if (!isMap(node) || all.length !== 1) {
      this.r.node(node, 'error', 'flow.shape', `${what} must name exactly one ${shape}`);
      return undefined;
    }
    return all[0]!;
  }

  private callData(ctx: TaskCtx, label: string, body: Node | null): void {
    const categoryEntry = entry(body, 'category');
    if (!categoryEntry) return;
    const cat = this.single(categoryEntry.value, `callData "${label}" category`, 'category: {<category>: {dataAction: {<action name>: …}}}');
    if (!cat) return;
    const da = this.single(child(cat.value, 'dataAction'), `callData "${label}" dataAction`, 'data action');
    if (!da) {
      if (!child(cat.value, 'dataAction')) this.r.node(cat.keyNode, 'error', 'flow.shape', `callData "${label}" needs dataAction: under its category`);
      return;
    }
    const action = findDataAction(this.catalog, cat.key, da.key);
    if (!action) {
      const sameName = this.catalog.dataActions.find((a) => lower(a.name) === lower(da.key));
      const near = sameName ?? nearest(da.key, this.catalog.dataActions.filter((a) => lower(a.category) === lower(cat.key)).map((a) => a.name));
      this.r.node(
        da.keyNode,
        'error',
        'flow.unknown_data_action',
        `data action "${da.key}" in category "${cat.key}" does not exist in ${this.catalog.dataActionsFrom}`,
        sameName
          ? `it is in category "${sameName.category}"`
          : typeof near === 'string'
            ? `did you mean "${near}"?`
            : 'provision the kit first, or check the name (Architect finds actions by category and name)',
      );
      return;
    }
    if (action.secure && !this.secureFlow) {
      this.r.node(
        da.keyNode,
        'warning',
        'security.secure_action_outside_secure_flow',
        `"${action.name}" is a secure data action: Genesys documents those with Call Secure Data in secure call and voice bot flows; whether ${this.flowKind} may call one with Call Data is not documented`,
        'make the action not secure if it carries nothing sensitive, or call it from a secure flow',
      );
    }
    const inputs = child(da.value, 'inputs');
    const given = entries(inputs);
    for (const e of given) {
      const t = action.inputs[e.key];
      if (!t) {
        const near = nearest(e.key, Object.keys(action.inputs));
        this.r.node(e.keyNode, 'error', 'flow.unknown_input', `data action "${action.name}" has no input "${e.key}"`, near ? `did you mean "${near}"?` : `its inputs: ${Object.keys(action.inputs).join(', ') || 'none'}`);
        continue;
      }
      const credentialInput = CREDENTIAL_NAME.test(e.key);
      const result = this.value(ctx, e.value, t, `input ${e.key} of "${action.name}"`, action.secure);
      if (credentialInput && !this.secureFlow) {
        this.r.node(
          e.keyNode,
          'error',
          'security.credential_in_flow',
          `input ${e.key} of "${action.name}" passes a voice credential through ${this.flowKind}, which has no secure variables`,
          NO_SECURE_HINT,
        );
      } else if (credentialInput) {
        if (!action.secure) {
          this.r.node(e.keyNode, 'error', 'security.credential_action_not_secure', `"${action.name}" takes a voice credential but is not a secure data action`, 'provision it with secure: true');
        }
        const fromSecure = result.reads.length > 0 && result.reads.every((v) => v.secure);
        if (!fromSecure && scalarText(child(e.value, 'noValue')) === undefined) {
          this.r.node(e.value, 'error', 'security.credential_not_secure', `input ${e.key} of "${action.name}" is a voice credential: pass it from a Secure. variable`);
        }
      }
    }
    for (const req of action.required) {
      if (!given.some((e) => e.key === req)) {
        this.r.node(da.keyNode, 'error', 'flow.missing_input', `data action "${action.name}" needs input "${req}"`);
      }
    }
    for (const e of entries(child(da.value, 'successOutputs'))) {
      const t = action.outputs[e.key];
      if (!t) {
        const near = nearest(e.key, Object.keys(action.outputs));
        this.r.node(e.keyNode, 'error', 'flow.unknown_output', `data action "${action.name}" has no output "${e.key}"`, near ? `did you mean "${near}"?` : `its outputs: ${Object.keys(action.outputs).join(', ')}`);
        continue;
      }
      this.binding(ctx, e.value, t, `output ${e.key} of "${action.name}"`, CREDENTIAL_NAME.test(e.key));
    }
    for (const e of entries(child(da.value, 'failureOutputs'))) {
      if (!DATA_ACTION_FAILURE_OUTPUTS.includes(e.key)) {
        this.r.node(e.keyNode, 'warning', 'flow.unknown_output', `"${e.key}" is not a failure output the kit knows`);
        continue;
      }
      this.binding(ctx, e.value, 'string', `failure output ${e.key}`, false);
    }
    for (const e of entries(da.value)) {
      if (!['inputs', 'successOutputs', 'failureOutputs'].includes(e.key))
        this.r.node(e.keyNode, 'warning', 'flow.unknown_key', `${e.key} is a key the kit does not check`);
    }
  }

  private callCommonModule(ctx: TaskCtx, label: string, body: Node | null): void {
    if (this.m.flowKey === 'commonModule') {
      this.r.node(body, 'error', 'flow.nested_module', 'a common module cannot call another common module', 'move the call into the flow that calls this module');
    }
    const modEntry = entry(body, 'commonModule');
    if (!modEntry) return;
    const mod = this.single(modEntry.value, `callCommonModule "${label}" commonModule`, 'module: {<module name>: {ver_latestPublished: …}}');
    if (!mod) return;
    this.m.calls.push(mod.key);
    const info = findModule(this.catalog, mod.key);
    if (!info) {
      const near = nearest(mod.key, this.catalog.modules.map((x) => x.name));
      this.r.node(mod.keyNode, 'error', 'flow.unknown_module', `common module "${mod.key}" is not among the flows given or published`, near ? `did you mean "${near}"?` : 'validate it together with this flow, or publish it first');
      return;
    }
    const version = this.single(mod.value, `callCommonModule "${label}" version`, 'version selector (ver_latestPublished)');
    if (!version) return;
    if (version.key !== 'ver_latestPublished')
      this.r.node(version.keyNode, 'warning', 'flow.module_version', `${version.key} is a version selector the kit does not model`);
    if (scalarValue(child(version.value, 'none')) === true || info.ioUnknown) return;
    const given = entries(child(version.value, 'inputs'));
    for (const e of given) {
      const t = findKey(info.inputs, e.key);
      if (!t) {
        this.r.node(e.keyNode, 'error', 'flow.unknown_input', `common module "${info.name}" has no input "${e.key}"`, `its inputs: ${Object.keys(info.inputs).join(', ') || 'none'} (variables with isInput: true)`);
        continue;
      }
      this.value(ctx, e.value, t, `input ${e.key} of "${info.name}"`);
    }
    for (const name of Object.keys(info.inputs)) {
      if (!given.some((e) => lower(e.key) === lower(name)))
        this.r.node(mod.keyNode, 'warning', 'flow.module_input_unset', `input ${name} of "${info.name}" is not given (it starts NOT_SET)`);
    }
    for (const e of entries(child(version.value, 'outputs'))) {
      const t = findKey(info.outputs, e.key);
      if (!t) {
        this.r.node(e.keyNode, 'error', 'flow.unknown_output', `common module "${info.name}" has no output "${e.key}"`, `its outputs: ${Object.keys(info.outputs).join(', ') || 'none'} (variables with isOutput: true)`);
        continue;
      }
      this.binding(ctx, e.value, t, `output ${e.key} of "${info.name}"`, CREDENTIAL_NAME.test(e.key));
    }
  }

  private updateData(ctx: TaskCtx, body: Node | null): void {
    for (const s of items(child(body, 'statements'))) {
      const [st] = entries(s);
      if (!st) continue;
      const kindType = VARIABLE_KINDS[st.key];
      if (!kindType) this.r.node(st.keyNode, 'warning', 'flow.unknown_statement', `${st.key} is an update statement kind the kit does not model`);
      const variable = entry(st.value, 'variable');
      if (!variable) {
        this.r.node(st.keyNode, 'error', 'flow.missing_key', `the ${st.key} statement needs variable:`);
        continue;
      }
      const target = this.writable(ctx, variable.value, kindType ?? 'unknown', true);
      const valueEntry = entry(st.value, 'value');
      if (!valueEntry) {
        this.r.node(st.keyNode, 'error', 'flow.missing_key', `the ${st.key} statement needs value:`);
        continue;
      }
      const result = this.value(ctx, valueEntry.value, kindType ?? 'unknown', `the value of ${target?.name ?? 'the statement'}`, target?.secure === true);
      if (target && !target.secure && result.reads.some((v) => v.secure)) {
        // Reported by value() already (secure reads are refused outside secure targets).
      }
    }
  }

  private participantData(ctx: TaskCtx, body: Node | null, mode: 'set' | 'get'): void {
    for (const a of items(child(body, 'attributes'))) {
      const attr = child(a, 'attribute');
      const nameEntry = entry(attr, 'name');
      if (!nameEntry) {
        this.r.node(a, 'error', 'flow.missing_key', 'each attribute needs name:');
        continue;
      }
      this.value(ctx, nameEntry.value, 'string', 'the attribute name');
      const literalName = scalarText(child(nameEntry.value, 'lit'));
      if (mode === 'set') {
        const valueEntry = entry(attr, 'value');
        if (!valueEntry) {
          this.r.node(a, 'error', 'flow.missing_key', 'each attribute needs value:');
          continue;
        }
        if (literalName && CREDENTIAL_NAME.test(literalName)) {
          this.r.node(nameEntry.value, 'error', 'security.credential_in_participant_data', `participant data "${literalName}" would carry a voice credential to every agent and report`, 'never write a credential to participant data');
        }
        // Reading a Secure. variable here is refused by value() (security.secure_read).
        this.value(ctx, valueEntry.value, 'string', `participant data "${literalName ?? '?'}"`);
      } else {
        const variable = entry(attr, 'variable');
        if (variable) this.writable(ctx, variable.value, 'string');
      }
    }
  }

  /** After all actions: module outputs no path assigns. */
  finish(): void {
    if (this.m.flowKey !== 'commonModule') return;
    for (const v of this.m.flowVars.values()) {
      if (v.isOutput && !this.m.assigned.has(lower(v.name)))
        this.r.node(v.node, 'warning', 'flow.output_never_set', `output ${v.name} is never assigned, so callers always get NOT_SET`);
    }
  }
}

function findKey<T>(map: Record<string, T>, key: string): T | undefined {
  const k = Object.keys(map).find((x) => lower(x) === lower(key));
  return k === undefined ? undefined : map[k];
}

function nearest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let score = Infinity;
  for (const c of candidates) {
    const d = levenshtein(lower(name), lower(c));
    if (d < score) {
      score = d;
      best = c;
    }
  }
  return best !== undefined && score <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * Validates a set of flow files together (a flow may call a module defined in another file of the
 * set). Issues are sorted by file, line and column.
 */
export function validateFlows(files: FlowFileInput[], catalog: Catalog): ValidationResult {
  const parsed = files.map((f) => {
    const src = parseSource(f.file, f.text);
    const r = new Reporter(src);
    return { r, m: model(src, r) };
  });
  const localModules = parsed
    .filter((p) => p.m?.flowKey === 'commonModule' && p.m.name)
    .map((p) => moduleSignature(p.m!));
  const merged: Catalog = {
    ...catalog,
    modules: [...localModules, ...catalog.modules.filter((x) => !localModules.some((l) => lower(l.name) === lower(x.name)))],
  };
  const flows: FlowSummary[] = [];
  for (const { r, m } of parsed) {
    if (!m) continue;
    const checker = new FlowChecker(m, r, merged);
    checker.checkFlow();
    checker.finish();
    flows.push({
      file: m.src.file,
      flowKey: m.flowKey,
      type: FLOW_TYPES[m.flowKey]!,
      name: m.name,
      ...(m.flowKey === 'commonModule' ? { module: moduleSignature(m) } : {}),
      calls: [...new Set(m.calls)],
    });
  }
  const issues = parsed
    .flatMap((p) => p.r.issues)
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { issues, flows, errors, warnings: issues.length - errors };
}

/** One line per issue: `file:line:col message (hint: …)`; warnings say so. */
export function formatFlowIssue(i: FlowIssue): string {
  const hint = i.hint ? ` (hint: ${i.hint})` : '';
  return `${i.file}:${i.line}:${i.col} ${i.severity === 'warning' ? 'warning: ' : ''}${i.message}${hint}`;
}
