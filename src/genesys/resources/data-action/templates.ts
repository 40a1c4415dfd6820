import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { KitConfig } from '../../../config/schema.js';
import { KitError } from '../../../errors.js';
import { validateActionDefinition } from '../../../flows/executor/index.js';
import { backendBaseUrl, kitName, names } from '../names.js';

/**
 * The kit's data actions are Handlebars templates (templates/data-actions/*.json.hbs) that render
 * to the exact JSON POSTed to /api/v2/integrations/actions, minus `integrationId`. Config values
 * enter only through helpers that JSON-escape them and refuse what Velocity would execute, so a
 * value can neither break the JSON nor become template code.
 */

/** templates/ sits at the package root, four levels above this file in src/ and in dist/. */
export const DATA_ACTION_TEMPLATES_DIR = fileURLToPath(
  new URL('../../../../templates/data-actions/', import.meta.url),
);

export interface DataActionDefinition {
  name: string;
  category: string;
  secure: boolean;
  config: Record<string, unknown>;
  contract: {
    input: { inputSchema: Record<string, unknown> };
    output: { successSchema: Record<string, unknown> };
  };
}

export interface RenderedDataAction {
  /** The template file name without `.json.hbs`, e.g. `create-audio-settings`. */
  key: string;
  definition: DataActionDefinition;
}

function templateValue(message: string, hint: string): KitError {
  return new KitError('provision.template_value', message, { hint });
}

/** Velocity would treat `$` and `#` as code wherever Genesys renders the text. */
function velocitySafe(value: unknown, key: unknown): void {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/[$#]/.test(text ?? '')) {
    throw templateValue(
      `${String(key)} contains "$" or "#", which Genesys would run as Velocity inside a data action`,
      `remove them from ${String(key)}`,
    );
  }
}

function scalar(value: unknown, key: unknown): string | number | boolean {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw templateValue(
    `${String(key)} is ${JSON.stringify(value)}, not a single value`,
    `set ${String(key)} in the config`,
  );
}

/** Text for inside a JSON string: JSON escapes, no surrounding quotes. */
const inString = (text: string) => JSON.stringify(text).slice(1, -1);

function engine(): typeof Handlebars {
  const hb = Handlebars.create();
  // Each helper takes the value and the config key it came from (for the error message).
  hb.registerHelper('str', (value: unknown, key: unknown) => inString(String(scalar(value, key))));
  hb.registerHelper('velocityText', (value: unknown, key: unknown) => {
    const v = String(scalar(value, key));
    velocitySafe(v, key);
    return inString(v);
  });
  // A JSON value inside a request template, which is itself a JSON string (so escaped twice).
  hb.registerHelper('jsonIn', (value: unknown, key: unknown) => {
    const v = scalar(value, key);
    velocitySafe(v, key);
    return inString(JSON.stringify(v));
  });
  hb.registerHelper('kitName', function (this: { prefix: string }, base: unknown) {
    return inString(kitName(this.prefix, String(base)));
  });
  return hb;
}

/** What the templates see: only the values actions use, shaped for them. */
export function templateContext(config: KitConfig) {
  const d = config.daspeak;
  return {
    prefix: config.prefix,
    category: names(config).dataActionCategory,
    daspeak: {
      restBaseUrl: d.rest.baseUrl.replace(/\/+$/, ''),
      audio: d.audio,
      modelHash: d.modelHash,
      authenticityThreshold: d.authenticityThreshold,
      verificationThreshold: d.verificationThreshold,
      audioTotalDuration: d.audioTotalDuration,
    },
    backend: { baseUrl: backendBaseUrl(config) },
  };
}

export function templateKeys(dir = DATA_ACTION_TEMPLATES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json.hbs'))
    .map((f) => f.slice(0, -'.json.hbs'.length))
    .sort();
}

/**
 * Renders every data-action template for a config, checks each against Genesys' contract rules
 * (through the offline executor) and returns them in file-name order.
 */
export function renderDataActions(
  config: KitConfig,
  dir = DATA_ACTION_TEMPLATES_DIR,
  options: { check?: boolean } = {},
): RenderedDataAction[] {
  const hb = engine();
  const context = templateContext(config);
  return templateKeys(dir).map((key) => {
    const file = join(dir, `${key}.json.hbs`);
    const text = hb.compile(readFileSync(file, 'utf8'), { strict: true, noEscape: true })(context);
    let definition: DataActionDefinition;
    try {
      definition = JSON.parse(text) as DataActionDefinition;
    } catch (err) {
      throw new KitError(
        'provision.template_invalid',
        `${file} did not render valid JSON: ${(err as Error).message}`,
      );
    }
    // Compiling both contract schemas costs tens of ms per action: callers that only read names and
    // contracts (flow validation) skip it; provisioning always checks.
    const issues =
      options.check === false
        ? []
        : validateActionDefinition({ ...definition, integrationId: 'template-check' });
    if (issues.length > 0) {
      throw new KitError(
        'provision.template_invalid',
        `${file} renders a data action Genesys would refuse: ${issues.map((i) => i.message).join('; ')}`,
      );
    }
    return { key, definition };
  });
}

/** Names of the kit's data actions by template key, for the flows (Architect finds them by category + name). */
export function dataActionNames(config: KitConfig): Record<string, string> {
  return Object.fromEntries(
    renderDataActions(config, DATA_ACTION_TEMPLATES_DIR, { check: false }).map((a) => [
      a.key,
      a.definition.name,
    ]),
  );
}
