/**
 * Archy YAML with positions: the `yaml` package's document nodes (each with its source range) and a
 * LineCounter, so every problem found can be reported as `file:line:col`.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export interface SourceFile {
  /** As given on the command line (shown in messages). */
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface Position {
  line: number;
  col: number;
}

export function parseSource(file: string, text: string): SourceFile {
  const lines = new LineCounter();
  // Archy writes YAML 1.1-era files, but YAML 1.2's core schema keeps bare `yes`/`no` keys as strings.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  return { file, text, doc, lines };
}

export function positionAt(src: SourceFile, offset: number): Position {
  const p = src.lines.linePos(Math.max(0, Math.min(offset, src.text.length)));
  return { line: p.line, col: p.col };
}

export function startOf(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}

export interface Entry {
  key: string;
  keyNode: Node;
  value: Node | null;
}

/** The entries of a mapping node, keys as text (a bare `yes` or `true` key becomes "yes"/"true"). */
export function entries(node: Node | null | undefined): Entry[] {
  if (!isMap(node)) return [];
  const out: Entry[] = [];
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    out.push({ key, keyNode, value: (pair.value as Node | null) ?? null });
  }
  return out;
}

export function entry(node: Node | null | undefined, key: string): Entry | undefined {
  return entries(node).find((e) => e.key === key);
}

export function child(node: Node | null | undefined, key: string): Node | null | undefined {
  return entry(node, key)?.value;
}

export function items(node: Node | null | undefined): Node[] {
  return isSeq(node) ? (node.items as Node[]) : [];
}

export function scalarText(node: Node | null | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  const v: unknown = node.value;
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function scalarValue(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

/**
 * The source offset of character `i` of a scalar's value: exact for plain and quoted one-line
 * scalars without escapes, the scalar's start otherwise (block scalars).
 */
export function offsetInScalar(src: SourceFile, node: Node, i: number): number {
  const start = startOf(node);
  if (!isScalar(node)) return start;
  switch (node.type) {
    case 'PLAIN':
      return start + i;
    case 'QUOTE_DOUBLE':
    case 'QUOTE_SINGLE':
      return start + 1 + i;
    default:
      return start;
  }
}

export { isMap, isScalar, isSeq };
export type { Node };
