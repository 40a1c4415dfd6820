/**
 * A Mermaid flowchart of a flow, so an admin sees the call path without opening Architect: one
 * node per action, labelled edges for each output (yes/no, success/failure/timeout, loop), paths
 * joining again where the flow continues.
 */
import { parse } from 'yaml';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Exit {
  id: string;
  label?: string;
}

const OUTPUTS: Record<string, string[]> = {
  decision: ['yes', 'no'],
  callData: ['success', 'failure', 'timeout'],
  collectInput: ['success', 'failure'],
};
const ENDS = new Set(['disconnect', 'jumpToTask', 'jumpToMenu', 'endTask']);

function text(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/[<>]/g, '');
}

export function flowDiagram(yamlText: string): string {
  const root = parse(yamlText) as Json;
  const [flowKey, body] = Object.entries(root)[0] as [string, Json];
  const lines = ['flowchart TD'];
  let n = 0;
  const node = (label: string, shape: 'box' | 'diamond' | 'round' = 'box') => {
    const id = `n${++n}`;
    const t = `"${text(label)}"`;
    lines.push(`  ${id}${shape === 'diamond' ? `{${t}}` : shape === 'round' ? `([${t}])` : `[${t}]`}`);
    return id;
  };
  const link = (from: Exit, to: string) =>
    lines.push(from.label ? `  ${from.id} -->|${text(from.label)}| ${to}` : `  ${from.id} --> ${to}`);

  const chain = (actions: unknown, entry: Exit[]): Exit[] => {
    let pending = entry;
    for (const item of Array.isArray(actions) ? actions : []) {
      if (!isObject(item)) continue;
      const [kind, raw] = Object.entries(item)[0] ?? [];
      if (!kind) continue;
      const a = isObject(raw) ? raw : {};
      const mod = kind === 'callCommonModule' && isObject(a.commonModule) ? Object.keys(a.commonModule)[0] : undefined;
      const name = `${typeof a.name === 'string' ? a.name : kind}${mod ? ` (${mod})` : ''}`;
      const id = node(name, kind === 'decision' ? 'diamond' : ENDS.has(kind) || kind === 'transferToAcd' ? 'round' : 'box');
      for (const p of pending) link(p, id);
      const outputs = isObject(a.outputs) ? a.outputs : {};
      if (kind === 'loop') {
        const body = chain(isObject(outputs.loop) ? outputs.loop.actions : [], [{ id, label: `up to ${JSON.stringify((a.loopCount as Json | undefined)?.lit ?? 'N')} times` }]);
        for (const b of body) link(b, id);
        pending = [{ id, label: 'done' }];
        continue;
      }
      if (mod) lines.push(`  class ${id} module`);
      if (ENDS.has(kind)) {
        pending = [];
        continue;
      }
      if (kind === 'transferToAcd') {
        pending = [{ id, label: 'transfer failed' }];
        continue;
      }
      const names = OUTPUTS[kind] ?? Object.keys(outputs);
      if (names.length === 0) {
        pending = [{ id }];
        continue;
      }
      const next: Exit[] = [];
      for (const o of names) {
        const out = outputs[o];
        if (isObject(out) && Array.isArray(out.actions) && out.actions.length > 0) next.push(...chain(out.actions, [{ id, label: o }]));
        else next.push({ id, label: o });
      }
      // Outputs that lead straight on merge into one edge.
      const direct = next.filter((e) => e.id === id);
      pending = [...next.filter((e) => e.id !== id), ...(direct.length > 0 ? [{ id, label: direct.map((d) => d.label).join(' / ') }] : [])];
    }
    return pending;
  };

  const start = node(`${flowKey}: ${typeof body.name === 'string' ? body.name : ''}`, 'round');
  const tasks = Array.isArray(body.tasks) ? body.tasks : [];
  let entry: Exit[] = [{ id: start }];
  for (const t of tasks) {
    const task = isObject(t) && isObject(t.task) ? t.task : undefined;
    if (!task) continue;
    entry = chain(task.actions, entry);
  }
  if (entry.length > 0) {
    const end = node(flowKey === 'commonModule' ? 'return to the caller' : 'end', 'round');
    for (const e of entry) link(e, end);
  }
  lines.push('  classDef module fill:#eef,stroke:#669');
  return lines.join('\n');
}
