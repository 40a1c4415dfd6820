import { parseDocument } from 'yaml';
import { dataActionInfo, validateFlows, formatFlowIssue, type Catalog } from '../../../flows/validate/index.js';
import { flattenedOutputNames } from '../actions/contract.js';
import type { OrgState } from '../state/model.js';

/** Archy top-level keys and the API flow type each publishes. */
export const FLOW_TYPES: Record<string, string> = {
  inboundCall: 'inboundcall',
  inboundEmail: 'inboundemail',
  inboundChat: 'inboundchat',
  inboundShortMessage: 'inboundshortmessage',
  outboundCall: 'outboundcall',
  inQueueCall: 'inqueuecall',
  inQueueEmail: 'inqueueemail',
  inQueueShortMessage: 'inqueueshortmessage',
  commonModule: 'commonmodule',
  workflow: 'workflow',
  botFlow: 'bot',
  digitalBotFlow: 'digitalbot',
  secureCall: 'securecall',
  surveyInvite: 'surveyinvite',
  voicemail: 'voicemail',
  voiceSurvey: 'voicesurvey',
};

/** Flow types with a caller on a call: they need languages and a start-up task. */
const CALL_FLOWS = new Set(['inboundCall', 'inQueueCall', 'outboundCall', 'secureCall']);

export interface ParsedFlow {
  type: string;
  name: string;
  description: string;
  divisionId: string;
  /** The flow's Audio Monitoring action setting, when it has one. */
  audioMonitoring?: boolean;
  /** Common module inputs and outputs (variables with isInput/isOutput). */
  inputs: string[];
  outputs: string[];
}

export type FlowCheck = { ok: true; flow: ParsedFlow } | { ok: false; errors: string[] };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The single key of a `{key: value}` selector map (category, dataAction, commonModule). */
function only(v: unknown): [string, unknown] | undefined {
  if (!isObject(v)) return undefined;
  const entries = Object.entries(v);
  return entries.length === 1 ? entries[0] : undefined;
}

/** Calls `visit` for every mapping in the tree with its key path. */
function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
  } else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      visit(k, v);
      walk(v, visit);
    }
  }
}

/**
 * `{{name}}` left in the text: the substitutions (Archy options file, or Terraform's string replace)
 * were not applied before upload. Scanned in the raw text because unquoted braces parse as YAML.
 */
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*[A-Za-z0-9_.-]+\s*\}\}/g)].map((m) => m[0]))];
}

/** `Common.x` variables of a common module flagged isInput / isOutput. */
function moduleVariables(body: Json): { inputs: string[]; outputs: string[] } {
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const entry of Array.isArray(body.variables) ? body.variables : []) {
    const v = only(entry)?.[1];
    if (!isObject(v) || typeof v.name !== 'string') continue;
    if (v.isInput === true) inputs.push(v.name);
    if (v.isOutput === true) outputs.push(v.name);
  }
  return { inputs, outputs };
}

function startUpResolves(flowKey: string, body: Json, ref: string): boolean {
  const m = /^(?:\.|\/[A-Za-z]+)\/(tasks|menus)\/(task|menu)\[([^\]]+)\]$/.exec(ref);
  if (!m || (ref.startsWith('/') && !ref.startsWith(`/${flowKey}/`))) return false;
  const list = body[m[1]!];
  return Array.isArray(list) && list.some((item) => {
    const inner = isObject(item) ? item[m[2]!] : undefined;
    return isObject(inner) && inner.refId === m[3];
  });
}

/**
 * What Architect checks when an Archy YAML is published through a flows job: syntax, the flow type
 * key, the name, the division, languages and start-up task of call flows, placeholders left in, and
 * that every data action, common module and queue the flow names exists.
 */
export function checkFlowYaml(state: OrgState, text: string): FlowCheck {
  const unresolved = placeholders(text);
  if (unresolved.length > 0) {
    return { ok: false, errors: unresolved.map((p) => `Unresolved substitution ${p}: replace it before publishing`) };
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => `YAML syntax error: ${e.message}`) };
  const root: unknown = doc.toJS();
  if (!isObject(root)) return { ok: false, errors: ['The file must be a YAML mapping whose single key is the flow type'] };
  const keys = Object.keys(root);
  const flowKey = keys[0];
  if (keys.length !== 1 || flowKey === undefined) {
    return { ok: false, errors: [`The file must have exactly one top-level key (the flow type); found ${keys.length}: ${keys.join(', ')}`] };
  }
  const type = FLOW_TYPES[flowKey];
  if (!type) return { ok: false, errors: [`Unknown flow type '${flowKey}' (known: ${Object.keys(FLOW_TYPES).join(', ')})`] };
  const body = root[flowKey];
  if (!isObject(body)) return { ok: false, errors: [`${flowKey} must be a mapping`] };

  const errors: string[] = [];
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (!name) errors.push(`${flowKey}.name is required`);
  const divisionName = typeof body.division === 'string' ? body.division : 'Home';
  const division = state.divisions.find((d) => d.name.toLowerCase() === divisionName.toLowerCase());
  if (!division) errors.push(`Division '${divisionName}' not found`);

  if (CALL_FLOWS.has(flowKey)) {
    const languages = isObject(body.supportedLanguages) ? Object.keys(body.supportedLanguages) : [];
    if (typeof body.defaultLanguage !== 'string') errors.push(`${flowKey}.defaultLanguage is required`);
    else if (!languages.includes(body.defaultLanguage)) {
      errors.push(`${flowKey}.defaultLanguage '${body.defaultLanguage}' is not one of supportedLanguages`);
    }
    if (typeof body.startUpRef !== 'string') errors.push(`${flowKey}.startUpRef is required`);
    else if (!startUpResolves(flowKey, body, body.startUpRef)) {
      errors.push(`${flowKey}.startUpRef '${body.startUpRef}' does not point at a task or menu of this flow`);
    }
  }

  let audioMonitoring: boolean | undefined;
  walk(body, (key, value) => {
    if (key === 'callData' && isObject(value)) errors.push(...callDataErrors(state, value));
    if (key === 'callCommonModule' && isObject(value)) {
      if (flowKey === 'commonModule') errors.push('A common module cannot call another common module');
      else errors.push(...commonModuleErrors(state, value));
    }
    if (key === 'transferToAcd' && isObject(value)) {
      const lit = isObject(value.targetQueue) ? value.targetQueue.lit : undefined;
      const queueName = isObject(lit) ? lit.name : undefined;
      if (typeof queueName === 'string' && !state.queues.some((q) => q.name.toLowerCase() === queueName.toLowerCase())) {
        errors.push(`Queue '${queueName}' not found (transferToAcd.targetQueue)`);
      }
    }
    if (key === 'audioMonitoring' && isObject(value)) {
      const lit = isObject(value.enableMonitoring) ? value.enableMonitoring.lit : undefined;
      if (typeof lit === 'boolean') audioMonitoring = lit;
    }
  });

  // The kit's offline validator, against what this org has: the same checks `flows validate --org`
  // makes, so a flow the kit would refuse offline is refused here too.
  if (errors.length === 0) {
    const result = validateFlows([{ file: 'flow.yaml', text }], orgCatalog(state));
    for (const i of result.issues.filter((x) => x.severity === 'error')) errors.push(formatFlowIssue(i));
  }
  if (errors.length > 0 || !division) return { ok: false, errors };
  const vars = flowKey === 'commonModule' ? moduleVariables(body) : { inputs: [], outputs: [] };
  return {
    ok: true,
    flow: {
      type,
      name,
      description: typeof body.description === 'string' ? body.description : '',
      divisionId: division.id,
      ...(audioMonitoring !== undefined ? { audioMonitoring } : {}),
      ...vars,
    },
  };
}

function callDataErrors(state: OrgState, node: Json): string[] {
  const category = only(node.category);
  const action = category ? only(isObject(category[1]) ? category[1].dataAction : undefined) : undefined;
  if (!category || !action) {
    return [`callData '${typeof node.name === 'string' ? node.name : ''}' must name one action as category: {<category>: {dataAction: {<name>: …}}}`];
  }
  const [categoryName] = category;
  const [actionName, spec] = action;
  const found = state.actions.find(
    (a) => !a.authAction && a.published && a.published.category === categoryName && a.published.name === actionName,
  );
  if (!found?.published) {
    return [`Unable to find a published data action named '${actionName}' in category '${categoryName}'`];
  }
  const errors: string[] = [];
  const inputSchema = found.published.contract.input.inputSchema;
  const inputNames = Object.keys(isObject(inputSchema.properties) ? inputSchema.properties : {});
  const outputNames = flattenedOutputNames(found.published.contract.output.successSchema);
  const s = isObject(spec) ? spec : {};
  for (const k of Object.keys(isObject(s.inputs) ? s.inputs : {})) {
    if (!inputNames.includes(k)) errors.push(`Data action '${actionName}' has no input named '${k}'`);
  }
  for (const k of Object.keys(isObject(s.successOutputs) ? s.successOutputs : {})) {
    if (!outputNames.includes(k)) errors.push(`Data action '${actionName}' has no success output named '${k}'`);
  }
  return errors;
}

function commonModuleErrors(state: OrgState, node: Json): string[] {
  const module = only(node.commonModule);
  if (!module) return [`callCommonModule '${typeof node.name === 'string' ? node.name : ''}' must name one module as commonModule: {<module name>: …}`];
  const [moduleName, versions] = module;
  const flow = state.flows.find((f) => f.type === 'commonmodule' && f.name.toLowerCase() === moduleName.toLowerCase());
  if (!flow) return [`Common module '${moduleName}' is not published`];
  const version = only(versions);
  const spec = version && isObject(version[1]) ? version[1] : {};
  const errors: string[] = [];
  for (const k of Object.keys(isObject(spec.inputs) ? spec.inputs : {})) {
    if (!flow.inputs.includes(k)) errors.push(`Common module '${moduleName}' has no input named '${k}'`);
  }
  for (const k of Object.keys(isObject(spec.outputs) ? spec.outputs : {})) {
    if (!flow.outputs.includes(k)) errors.push(`Common module '${moduleName}' has no output named '${k}'`);
  }
  return errors;
}

/** What a flow published to this org may call: its published data actions, modules and queues. */
export function orgCatalog(state: OrgState): Catalog {
  return {
    dataActions: state.actions
      .filter((a) => !a.authAction && a.published)
      .map((a) => dataActionInfo({ ...a.published!, secure: a.published!.secure })),
    modules: state.flows
      .filter((f) => f.type === 'commonmodule')
      .map((f) => {
        const parsed = validateFlows([{ file: f.name, text: f.yaml }], { dataActions: [], modules: [], dataActionsFrom: 'the org' });
        const mod = parsed.flows[0]?.module;
        return mod ?? { name: f.name, inputs: {}, outputs: {}, from: 'the org', ioUnknown: true };
      }),
    queues: state.queues.map((q) => q.name),
    dataActionsFrom: 'the org',
  };
}
