import type { TSchema } from '@sinclair/typebox';
import { KitConfigSchema } from './schema.js';

function typeOf(s: TSchema): string {
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.type === 'array') return `list of ${typeOf(s.items as TSchema)}`;
  if (s.type === 'object' && s.patternProperties) return 'mapping';
  if (s.type === 'object') return 'mapping';
  return String(s.type ?? 'any');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

interface Row {
  path: string;
  schema: TSchema;
  required: boolean;
}

function rows(schema: TSchema, prefix: string, required: boolean, out: Row[]): void {
  if (prefix) out.push({ path: prefix, schema, required });
  if (schema.type === 'object' && schema.properties) {
    const req = new Set((schema.required as string[] | undefined) ?? []);
    for (const [k, v] of Object.entries(schema.properties as Record<string, TSchema>)) {
      rows(v, prefix ? `${prefix}.${k}` : k, req.has(k) && v.default === undefined, out);
    }
  } else if (schema.type === 'object' && schema.patternProperties) {
    const inner = Object.values(schema.patternProperties as Record<string, TSchema>)[0]!;
    rows(inner, `${prefix}.<language>`, false, out);
  } else if (schema.type === 'array' && (schema.items as TSchema).type === 'object') {
    rows(schema.items as TSchema, `${prefix}[]`, false, out);
  }
}

/** docs/configuration.md, generated from the schema (`npm run docs`). */
export function renderConfigReference(): string {
  const list: Row[] = [];
  rows(KitConfigSchema, '', true, list);
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'The kit reads one YAML file, `daspeak-genesys.yaml` by default (`--config <file>` or',
    '`DASPEAK_GENESYS_CONFIG` to choose another). `daspeak-genesys init` writes a commented example and',
    '`daspeak-genesys validate` checks one.',
    '',
    '- Any string may contain `${env:NAME}`; the variable must be set (an unset one is an error naming it).',
    '  Secrets (marked 🔒 below) belong there rather than in the file; `validate` warns when one is written in clear.',
    '- Unknown keys are errors (with a "did you mean" when one is close), so a typo never goes unnoticed.',
    '- Give `genesys.region` for a real org or `genesys.baseUrl` for a local sandbox org, not both.',
    '',
    '| key | type | required | default | description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of list) {
    const s = r.schema;
    const def = s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``;
    const secretSchema = s.type === 'array' ? (s.items as TSchema) : s;
    const lock = secretSchema['x-secret'] ? ' 🔒' : '';
    const env = secretSchema['x-env'] ? ` Suggested: \`\${env:${String(secretSchema['x-env'])}}\`.` : '';
    const hint = s['x-hint'] ? ` Format: ${String(s['x-hint'])}.` : '';
    lines.push(
      `| \`${r.path}\`${lock} | ${typeOf(s)} | ${r.required ? 'yes' : ''} | ${cell(def)} | ${cell(
        `${String(s.description ?? '')}${hint}${env}`,
      )} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
