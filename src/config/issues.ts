import { KitError } from '../errors.js';

/** One thing wrong with a config file, located precisely enough to fix it without searching. */
export interface ConfigIssue {
  /** Stable code, e.g. `config.missing_key`. */
  code: string;
  /** Dotted path into the config, e.g. `backend.encryptionKeys[0].key`; `` for the whole file. */
  path: string;
  message: string;
  hint?: string;
  line?: number;
  column?: number;
}

export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** `file:line:col path: message (hint: …)` — the one line a person reads. */
export function formatIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line ? `${file}:${issue.line}${issue.column ? `:${issue.column}` : ''}` : file;
  const path = issue.path ? ` ${issue.path}:` : '';
  const hint = issue.hint ? ` (hint: ${issue.hint})` : '';
  return `${where}${path} ${issue.message}${hint}`;
}

export class ConfigError extends KitError {
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    const first = issues[0];
    super(first?.code ?? 'config.invalid', first ? formatIssue(file, { ...first, hint: undefined }) : file, {
      hint: first?.hint,
      details: { file, issues },
    });
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }

  /** Every issue, one per line. */
  lines(): string[] {
    return this.issues.map((i) => formatIssue(this.file, i));
  }
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(
        up + 1,
        prev[j - 1]! + 1,
        diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate, if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}
