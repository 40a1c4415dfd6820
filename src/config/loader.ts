import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { KitConfigSchema, schemaAt, secretPaths, type KitConfig } from './schema.js';
import { ConfigError, didYouMean, formatPath, type ConfigIssue } from './issues.js';
import { substituteEnv } from './env.js';
import { crossChecks, crossWarnings, SANDBOX_SECRETS } from './checks.js';
import { rememberConfigFile } from './platform.js';
import { expandPath, valueAt } from './paths.js';

export const DEFAULT_CONFIG_FILE = 'daspeak-genesys.yaml';

export interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Keep `${env:NAME}` references unresolved and skip checks on those values (lint without secrets). */
  skipEnv?: boolean;
}

export interface LoadedConfig {
  file: string;
  config: KitConfig;
  /** Advice that does not make the config invalid (e.g. a secret written in clear). */
  warnings: ConfigIssue[];
}

/** ajv instance that knows the kit's annotation keywords and applies schema defaults. */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
  ajv.addVocabulary(['x-secret', 'x-hint', 'x-env']);
  return ajv;
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator() {
  compiled ??= createAjv().compile(KitConfigSchema);
  return compiled;
}

/** Resolves the config path from the option, the environment, then the default name. */
export function resolveConfigPath(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(option ?? env.DASPEAK_GENESYS_CONFIG ?? DEFAULT_CONFIG_FILE);
}

export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    if (statSync(file).isDirectory()) {
      throw new ConfigError(file, [
        {
          code: 'config.not_a_file',
          path: '',
          message: 'is a directory, not a config file',
          hint: `point --config at a YAML file such as ${DEFAULT_CONFIG_FILE}`,
        },
      ]);
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(file, [
        {
          code: 'config.not_found',
          path: '',
          message: 'config file not found',
          hint: 'create one with `daspeak-genesys init`, or pass --config <file>',
        },
      ]);
    }
    throw new ConfigError(file, [
      { code: 'config.unreadable', path: '', message: `cannot read the file (${code ?? String(err)})` },
    ]);
  }
  return parseConfigText(text, file, options);
}

export function parseConfigText(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): { line?: number; col?: number } =>
    offset === undefined ? {} : lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = at(e.pos[0]);
        return {
          code: 'config.yaml_syntax',
          path: '',
          message: `YAML syntax error: ${e.message.split('\n')[0]}`,
          hint: 'check indentation and quoting around this line',
          line: pos.line,
          column: pos.col,
        };
      }),
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ConfigError(file, [
      {
        code: 'config.empty',
        path: '',
        message: 'the config file is empty',
        hint: 'write a config with `daspeak-genesys init --force`, or copy one from the README',
      },
    ]);
  }
  if (!isMap(doc.contents)) {
    const pos = at(doc.contents.range?.[0]);
    throw new ConfigError(file, [
      {
        code: 'config.not_a_mapping',
        path: '',
        message: 'the config must be a YAML mapping of keys (genesys:, daspeak:, backend:, …)',
        line: pos.line,
        column: pos.col,
      },
    ]);
  }

  const raw: unknown = doc.toJS({ maxAliasCount: 50 });
  const env = options.env ?? process.env;
  const substituted = substituteEnv(raw, { env, skipEnv: options.skipEnv });
  const locate = locator(doc, lineCounter);
  const issues: ConfigIssue[] = substituted.issues.map(({ segments, ...issue }) => ({
    ...issue,
    ...locate(segments),
  }));

  const data = structuredClone(substituted.value) as Record<string, unknown>;
  const validate = validator();
  if (!validate(data)) {
    // Values still holding a reference (skipEnv, or unset and already reported) cannot be checked.
    const unresolved = new Set(
      substituted.fromEnv
        .filter((segs) => String(valueAt(substituted.value, segs)).includes('${env:'))
        .map((segs) => formatPath(segs)),
    );
    for (const issue of ajvIssues(validate.errors ?? [], data)) {
      if (unresolved.has(issue.path)) continue;
      issues.push({ ...issue, ...locate(issue.segments), segments: undefined } as ConfigIssue);
    }
  }
  if (issues.length === 0) {
    for (const issue of crossChecks(data as KitConfig)) issues.push({ ...issue, ...locate(issue.segments) });
  }
  if (issues.length > 0) throw new ConfigError(file, issues.map(stripSegments));

  const warnings = [
    ...crossWarnings(data as KitConfig),
    ...literalSecretWarnings(substituted.fromEnv, data),
  ].map((w) => ({ ...w, ...locate(w.segments) }));
  rememberConfigFile(data as KitConfig, file);
  return { file, config: data as KitConfig, warnings: warnings.map(stripSegments) };
}

function stripSegments(issue: ConfigIssue & { segments?: unknown }): ConfigIssue {
  const { segments: _segments, ...rest } = issue;
  return rest;
}

/** Finds the line of a path, or of its nearest existing parent. */
function locator(doc: Document, lineCounter: LineCounter) {
  return (segments: (string | number)[], keyOf?: string): { line?: number; column?: number } => {
    for (let n = segments.length; n >= 0; n--) {
      const node = doc.getIn(segments.slice(0, n), true) as Node | undefined;
      if (!node?.range) continue;
      let offset = node.range[0];
      if (keyOf && n === segments.length && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === keyOf);
        if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
      } else if (n > 0) {
        // Point at the key of the value rather than at the value itself.
        const parent = doc.getIn(segments.slice(0, n - 1), true) as Node | undefined;
        if (parent && isMap(parent)) {
          const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === segments[n - 1]);
          if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
        }
      }
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    }
    return {};
  };
}

type LocatedIssue = ConfigIssue & { segments: (string | number)[] };

function pointerSegments(pointer: string, data: unknown): (string | number)[] {
  if (!pointer) return [];
  let cursor: unknown = data;
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      const out = Array.isArray(cursor) ? Number(seg) : seg;
      cursor = (cursor as Record<string | number, unknown> | undefined)?.[out];
      return out;
    });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 37) + '…' : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping of keys',
  array: 'a list',
};

/** Turns ajv errors into one precise issue per path. */
function ajvIssues(errors: ErrorObject[], data: unknown): LocatedIssue[] {
  const out: LocatedIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const base = pointerSegments(e.instancePath, data);
    const schema = schemaAt(base);
    const value = valueAt(data, base);
    const secret = Boolean(schema?.['x-secret']);
    const shown = secret ? 'a value (hidden: secret)' : describe(value);
    let issue: LocatedIssue;
    switch (e.keyword) {
      case 'required': {
        const key = (e.params as { missingProperty: string }).missingProperty;
        const segments = [...base, key];
        const child = schemaAt(segments);
        issue = {
          code: 'config.missing_key',
          path: formatPath(segments),
          segments,
          message: `missing required key "${key}"`,
          hint: child?.description ? `add ${key}: ${hintFor(child)}` : `add the key ${key}`,
        };
        break;
      }
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const segments = [...base, key];
        const allowed = Object.keys((schema?.properties as Record<string, unknown> | undefined) ?? {});
        const guess = didYouMean(key, allowed);
        issue = {
          code: 'config.unknown_key',
          path: formatPath(segments),
          segments,
          message: `unknown key "${key}"`,
          hint: guess ? `did you mean "${guess}"?` : `allowed keys here: ${allowed.join(', ')}`,
        };
        break;
      }
      case 'type': {
        const expected = String((e.params as { type: string }).type);
        issue = {
          code: 'config.wrong_type',
          path: formatPath(base),
          segments: base,
          message: `must be ${expected
            .split(',')
            .map((t) => TYPE_WORDS[t] ?? t)
            .join(' or ')}, not ${shown}`,
          hint:
            expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')
              ? 'put the value in quotes'
              : schema?.description,
        };
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const min = schema?.minimum as number | undefined;
        const max = schema?.maximum as number | undefined;
        const range =
          min !== undefined && max !== undefined
            ? `between ${min} and ${max}`
            : min !== undefined
              ? `at least ${min}`
              : `at most ${String(max)}`;
        issue = {
          code: 'config.out_of_range',
          path: formatPath(base),
          segments: base,
          message: `must be ${range}, not ${shown}`,
          hint: schema?.description,
        };
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
        const guess = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
        issue = {
          code: 'config.not_allowed',
          path: formatPath(base),
          segments: base,
          message: `must be one of ${allowed.join(', ')}, not ${shown}`,
          hint: guess ? `did you mean "${guess}"?` : schema?.description,
        };
        break;
      }
      case 'minItems':
      case 'maxItems': {
        const limit = (e.params as { limit: number }).limit;
        issue = {
          code: 'config.list_size',
          path: formatPath(base),
          segments: base,
          message: `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${limit} ${limit === 1 ? 'entry' : 'entries'}`,
          hint: schema?.description,
        };
        break;
      }
      case 'minLength':
      case 'maxLength': {
        const limit = (e.params as { limit: number }).limit;
        issue = {
          code: limit === 1 && e.keyword === 'minLength' ? 'config.empty_value' : 'config.bad_length',
          path: formatPath(base),
          segments: base,
          message:
            limit === 1 && e.keyword === 'minLength'
              ? 'must not be empty'
              : `must be ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${limit} characters long`,
          hint: (schema?.['x-hint'] as string | undefined) ?? schema?.description,
        };
        break;
      }
      case 'pattern':
      case 'format': {
        issue = {
          code: 'config.bad_format',
          path: formatPath(base),
          segments: base,
          message: `${shown} is not in the expected form`,
          hint: (schema?.['x-hint'] as string | undefined) ?? schema?.description,
        };
        break;
      }
      default:
        issue = {
          code: 'config.invalid',
          path: formatPath(base),
          segments: base,
          message: e.message ?? 'is invalid',
          hint: schema?.description,
        };
    }
    if (seen.has(issue.path)) continue;
    seen.add(issue.path);
    out.push(issue);
  }
  return out;
}

function hintFor(schema: TSchema): string {
  if (schema['x-secret'] && schema['x-env']) return `\${env:${String(schema['x-env'])}}`;
  if (schema.type === 'object') return '(a mapping — see docs/configuration.md)';
  return `<${String(schema.description ?? 'value').replace(/\.$/, '')}>`;
}

/** Secrets written in clear in the file work, but belong in the environment. */
function literalSecretWarnings(fromEnv: (string | number)[][], data: unknown): LocatedIssue[] {
  const envPaths = new Set(fromEnv.map((s) => formatPath(s)));
  const out: LocatedIssue[] = [];
  for (const pattern of secretPaths()) {
    for (const segments of expandPath(pattern, data)) {
      const path = formatPath(segments);
      const value = valueAt(data, segments);
      if (envPaths.has(path) || typeof value !== 'string' || SANDBOX_SECRETS.has(value)) continue;
      const schema = schemaAt(segments);
      out.push({
        code: 'config.secret_in_file',
        path,
        segments,
        message: 'a secret is written in the file',
        hint: `write \${env:${String(schema?.['x-env'] ?? 'NAME')}} and set the variable instead`,
      });
    }
  }
  return out;
}

export { expandPath } from './paths.js';
