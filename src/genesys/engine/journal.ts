import { readFileSync } from 'node:fs';
import { appendLineDurable } from './files.js';

export type JournalOp = 'create' | 'update' | 'delete';

export interface JournalEntry {
  time: string;
  run: string;
  op: JournalOp;
  kind: string;
  name: string;
  phase: 'intent' | 'done' | 'failed';
  id?: string;
  error?: string;
}

/**
 * An append-only record of every write: the intent is on disk before the call, the result after.
 * A run killed between the two leaves an intent without a result; the next run uses it to adopt an
 * object it created but never recorded, instead of creating a duplicate.
 */
export class Journal {
  constructor(
    readonly file: string,
    private readonly run: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  write(entry: Omit<JournalEntry, 'time' | 'run'>): void {
    const full: JournalEntry = { time: this.clock().toISOString(), run: this.run, ...entry };
    appendLineDurable(this.file, JSON.stringify(full));
  }

  entries(): JournalEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as JournalEntry);
      } catch {
        // A line cut short by a kill is the last one; it carries no completed fact.
      }
    }
    return out;
  }

  /** Creates whose outcome was never recorded as done: `kind/name` keys. */
  unfinishedCreates(): Set<string> {
    const open = new Map<string, boolean>();
    for (const e of this.entries()) {
      if (e.op !== 'create') continue;
      const key = `${e.kind}/${e.name}`;
      // A failed create (a timeout, say) may still have happened remotely: only `done` settles it.
      if (e.phase === 'intent') open.set(key, true);
      else if (e.phase === 'done') open.delete(key);
    }
    return new Set(open.keys());
  }
}
