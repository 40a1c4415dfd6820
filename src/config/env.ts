import type { ConfigIssue } from './issues.js';
import { formatPath } from './issues.js';

const REFERENCE = /\$\{env:([^}]*)\}/g;
const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface SubstituteOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Leave references in place (and report nothing) — to lint a config where the secrets are absent. */
  skipEnv?: boolean;
}

export interface SubstituteResult {
  value: unknown;
  issues: (ConfigIssue & { segments: (string | number)[] })[];
  /** Paths (as segment arrays) whose value came from, or still holds, an env reference. */
  fromEnv: (string | number)[][];
}

/**
 * Replaces `${env:NAME}` in every string of a parsed config. Only whole strings and embedded
 * references are supported; a value is always a string afterwards.
 */
export function substituteEnv(input: unknown, options: SubstituteOptions): SubstituteResult {
  const issues: SubstituteResult['issues'] = [];
  const fromEnv: (string | number)[][] = [];

  const visit = (value: unknown, segments: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('${env:')) return value;
      fromEnv.push(segments);
      if (options.skipEnv) return value;
      return value.replace(REFERENCE, (whole, name: string) => {
        if (!VALID_NAME.test(name)) {
          issues.push({
            code: 'config.env_syntax',
            path: formatPath(segments),
            segments,
            message: `"${whole}" is not a valid environment reference`,
            hint: 'write ${env:NAME} with a name of letters, digits and _',
          });
          return whole;
        }
        const found = options.env[name];
        if (found === undefined || found === '') {
          issues.push({
            code: 'config.env_unset',
            path: formatPath(segments),
            segments,
            message: `environment variable ${name} is not set`,
            hint: `export ${name}=… before running, or write the value in the file`,
          });
          return whole;
        }
        return found;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => visit(v, [...segments, i]));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = visit(v, [...segments, k]);
      return out;
    }
    return value;
  };

  return { value: visit(input, []), issues, fromEnv };
}
