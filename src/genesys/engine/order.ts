import { KitError } from '../../errors.js';

/** Kinds sorted so each comes after the kinds it depends on (stable for independent kinds). */
export function dependencyOrder<T extends { kind: string; dependsOn: string[] }>(kinds: T[]): T[] {
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  for (const k of kinds) {
    for (const d of k.dependsOn) {
      if (!byKind.has(d))
        throw new KitError('engine.unknown_dependency', `${k.kind} depends on unknown kind ${d}`);
    }
  }
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (k: T, path: string[]) => {
    const s = state.get(k.kind);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new KitError('engine.dependency_cycle', `dependency cycle: ${[...path, k.kind].join(' → ')}`);
    }
    state.set(k.kind, 'visiting');
    for (const d of k.dependsOn) visit(byKind.get(d)!, [...path, k.kind]);
    state.set(k.kind, 'done');
    out.push(k);
  };
  for (const k of kinds) visit(k, []);
  return out;
}
