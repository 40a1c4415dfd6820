import { JSONPath } from 'jsonpath-plus';

export type TranslationResult =
  | { ok: true; values: Record<string, string> }
  | { ok: false; key: string; path: string; problem: string };

/**
 * Applies a translationMap to a parsed response the way Genesys does (HELP "Response configuration
 * for data actions"): each value is a JSONPath; what it finds is inserted into the success template
 * JSON-encoded (a string keeps its quotes, `null` stays `null`). A path that finds nothing takes the
 * key's translationMapDefaults entry (already JSON text, hence `"\"UNKNOWN\""`), and with no default
 * the action fails. A null found in the response is a value, not a miss.
 *
 * Genesys evaluates with Jayway JsonPath: a definite path gives one value, an indefinite one
 * (`[*]`, `..`, filters, slices, unions) gives the list of matches, possibly empty.
 */
export function applyTranslationMap(
  response: unknown,
  translationMap: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, string>>,
): TranslationResult {
  const values: Record<string, string> = {};
  for (const [key, rawPath] of Object.entries(translationMap)) {
    const path = normalisePath(rawPath);
    let matches: unknown[];
    let definite: boolean;
    try {
      definite = isDefinite(path);
      matches = JSONPath<unknown[]>({ path: negativeIndexAsSlice(path), json: response as object, wrap: true, eval: 'safe' });
    } catch (err) {
      return {
        ok: false,
        key,
        path: rawPath,
        problem: `the JSONPath '${rawPath}' for '${key}' is invalid: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    if (!definite) {
      values[key] = JSON.stringify(matches);
    } else if (matches.length > 0) {
      values[key] = JSON.stringify(matches[0]);
    } else if (Object.hasOwn(defaults, key)) {
      values[key] = defaults[key] ?? '';
    } else {
      return {
        ok: false,
        key,
        path: rawPath,
        problem: `the JSONPath '${rawPath}' for '${key}' found nothing in the response and translationMapDefaults has no '${key}'`,
      };
    }
  }
  return { ok: true, values };
}

/** Jayway reads `a.b` as `$.a.b`. */
function normalisePath(path: string): string {
  const trimmed = path.trim();
  if (trimmed.startsWith('$')) return trimmed;
  return trimmed.startsWith('[') ? `$${trimmed}` : `$.${trimmed}`;
}

/** Jayway reads `[-1]` as the last element; jsonpath-plus only knows that as the slice `[-1:]`. */
function negativeIndexAsSlice(path: string): string {
  return path.replace(/\[\s*-(\d+)\s*\]/g, (_, n: string) => (n === '1' ? '[-1:]' : `[-${n}:-${Number(n) - 1}]`));
}

function isDefinite(path: string): boolean {
  return JSONPath.toPathArray(path)
    .slice(1)
    .every((token) => token !== '..' && token !== '*' && !token.startsWith('?(') && !token.startsWith('(') && !/[,:]/.test(token));
}
