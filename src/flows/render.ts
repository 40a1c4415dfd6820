/**
 * Renders the kit's Architect flows (templates/flows/*.yaml.hbs) from the kit config: names from
 * the prefix, data actions by the names provisioning gives them, prompts per language from the
 * config, polling bounds from das-Peak's timeouts. The result is Archy YAML an admin could also
 * publish with Archy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { KitConfig } from '../config/schema.js';
import { KitError } from '../errors.js';
import { dataActionNames } from '../genesys/resources/data-action/templates.js';
import { kitName, names as kitNames } from '../genesys/resources/names.js';
import { expString, promptsByLanguage, promptTextExpression } from './prompts.js';

/** templates/ sits at the package root, three levels above this file in src/ and in dist/. */
export const FLOW_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/flows/', import.meta.url));

export const FLOW_KEYS = ['register', 'verify', 'inbound'] as const;
export type FlowKey = (typeof FLOW_KEYS)[number];

export interface RenderedFlow {
  key: FlowKey;
  /** File name in flows/ (and under `flows render --out`). */
  file: string;
  name: string;
  /** Archy flow type key. */
  flowKey: 'commonModule' | 'inboundCall';
  text: string;
}

export interface RenderResult {
  flows: RenderedFlow[];
  /** Flows not rendered, and why (the example inbound flow without a queue). */
  skipped: { key: FlowKey; reason: string; hint: string }[];
}

const FILES: Record<FlowKey, string> = {
  register: 'register.yaml',
  verify: 'verify.yaml',
  inbound: 'example-inbound.yaml',
};

/** Seconds Architect waits for each data action (the actions themselves time out after 10 s). */
const ACTION_TIMEOUT_SECONDS = 15;
/** Failed status polls in a row before a session is given up as an error. */
const MAX_POLL_FAILURES = 3;

export function flowNames(config: Pick<KitConfig, 'prefix' | 'flows'>) {
  return {
    register: kitName(config.prefix, config.flows.names.register),
    verify: kitName(config.prefix, config.flows.names.verify),
    inbound: kitName(config.prefix, config.flows.names.inbound),
  };
}

/** The queue the example inbound flow transfers to, when the config names one. */
export function transferQueue(config: Pick<KitConfig, 'flows' | 'widget'>): string | undefined {
  return config.flows.transferQueue ?? config.widget.queues[0];
}

/** How the polling loop is bounded: one status poll per interval, for at most the session deadline. */
export function pollingBounds(config: Pick<KitConfig, 'daspeak'>) {
  const { pollIntervalMs, sessionSeconds } = config.daspeak.timeouts;
  return {
    intervalMs: pollIntervalMs,
    maxPolls: Math.max(1, Math.ceil((sessionSeconds * 1000) / pollIntervalMs)),
    maxFailures: MAX_POLL_FAILURES,
  };
}

function audioValue(text: string | undefined, expr: string, single: boolean): string {
  // One language: the plain tts: form; several: an expression choosing by Call.Language.
  return single && text !== undefined
    ? `{ tts: ${JSON.stringify(text)} }`
    : `{ exp: ${JSON.stringify(`ToAudioTTS(${expr})`)} }`;
}

export function flowContext(config: KitConfig, options: { marker?: string } = {}) {
  const prompts = promptsByLanguage(config);
  const def = config.flows.defaultLanguage;
  const single = Object.keys(prompts).length === 1;
  const audio = (key: keyof (typeof prompts)[string]) =>
    audioValue(prompts[def]?.[key], promptTextExpression(prompts, key, def), single);
  const text = (key: keyof (typeof prompts)[string]) => promptTextExpression(prompts, key, def);
  const result = 'Flow.Result';
  const outcome =
    `If(${result} == "verified", ${text('verified')}, ` +
    `If(${result} == "registered", ${text('registered')}, ` +
    `If(${result} == "not-verified", ${text('notVerified')}, ` +
    `If(${result} == "spoof", ${text('spoof')}, ` +
    `If(${result} == "no-consent", ${text('noConsent')}, ` +
    `If(${result} == "no-audio", If(Flow.Operation == "register", ${text('registerFailed')}, ${text('notVerified')}), ` +
    `${text('error')}))))))`;
  const actions = dataActionNames(config);
  const action = (key: string) => {
    const name = actions[key];
    if (!name) throw new KitError('flows.template', `no data action template ${key}`);
    return name;
  };
  return {
    names: flowNames(config),
    marker: options.marker ?? '',
    division: config.flows.division,
    defaultLanguage: def,
    languages: config.flows.languages,
    category: kitNames(config).dataActionCategory,
    actions: {
      createAudioSettings: action('daspeak-create-audio-settings'),
      createRegisterSession: action('daspeak-create-register-session'),
      getRegistrationStatus: action('backend-get-registration-status'),
      storeRegistration: action('backend-store-registration'),
      startVerification: action('backend-start-verification'),
      getSessionStatus: action('daspeak-get-session-status'),
      getConsent: action('backend-get-consent'),
      storeConsent: action('backend-store-consent'),
    },
    prompts: {
      welcome: audio('welcome'),
      consent: audio('consent'),
      registerStart: audio('registerStart'),
      verifyStart: audio('verifyStart'),
      error: audio('error'),
      transfer: audio('transfer'),
      outcome: `{ exp: ${JSON.stringify(`ToAudioTTS(${outcome})`)} }`,
    },
    polling: pollingBounds(config),
    actionTimeoutSeconds: ACTION_TIMEOUT_SECONDS,
    consentTimeoutSeconds: config.flows.consentTimeoutSeconds,
    consentWordingVersion: config.flows.consentWordingVersion,
    transferQueue: transferQueue(config) ?? '',
  };
}

function engine(dir: string): typeof Handlebars {
  const hb = Handlebars.create();
  // A YAML double-quoted scalar: JSON's string escapes are valid YAML.
  hb.registerHelper('q', (value: unknown) => new Handlebars.SafeString(JSON.stringify(String(value))));
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('described', (text: string, marker: string) => (marker ? `${text} ${marker}` : text));
  hb.registerHelper('exp', (text: unknown) => expString(String(text)));
  const partials = join(dir, 'partials');
  for (const f of readdirSync(partials).filter((x) => x.endsWith('.hbs'))) {
    hb.registerPartial(f.slice(0, -'.hbs'.length), readFileSync(join(partials, f), 'utf8'));
  }
  return hb;
}

/** Renders the flows of a config; `marker` goes into each description (provisioning's ownership mark). */
export function renderFlows(config: KitConfig, options: { marker?: string; dir?: string } = {}): RenderResult {
  const dir = options.dir ?? FLOW_TEMPLATES_DIR;
  const hb = engine(dir);
  const context = flowContext(config, options);
  const out: RenderResult = { flows: [], skipped: [] };
  for (const key of FLOW_KEYS) {
    if (key === 'inbound' && !context.transferQueue) {
      out.skipped.push({
        key,
        reason: 'the example inbound flow needs a queue to transfer to',
        hint: 'set flows.transferQueue, or list a queue under widget.queues',
      });
      continue;
    }
    const template = readFileSync(join(dir, `${key}.yaml.hbs`), 'utf8');
    const text = hb.compile(template, { strict: true, noEscape: true })(context);
    out.flows.push({
      key,
      file: FILES[key],
      name: context.names[key],
      flowKey: key === 'inbound' ? 'inboundCall' : 'commonModule',
      text,
    });
  }
  return out;
}
