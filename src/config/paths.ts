/** Reading values of a parsed config by path. */

export function valueAt(data: unknown, segments: (string | number)[]): unknown {
  let cursor = data;
  for (const s of segments) cursor = (cursor as Record<string | number, unknown> | undefined)?.[s];
  return cursor;
}

/** `backend.apiKeys[]` → the segment arrays of every element present in `data`. */
export function expandPath(pattern: string, data: unknown): (string | number)[][] {
  const parts = pattern.split('.').flatMap((p) => {
    const m = /^(.*?)((?:\[\])*)$/.exec(p)!;
    const list: string[] = m[1] ? [m[1]] : [];
    for (let i = 0; i < m[2]!.length / 2; i++) list.push('[]');
    return list;
  });
  let results: (string | number)[][] = [[]];
  for (const part of parts) {
    const next: (string | number)[][] = [];
    for (const segs of results) {
      const here = valueAt(data, segs);
      if (part === '[]') {
        if (Array.isArray(here)) here.forEach((_, i) => next.push([...segs, i]));
      } else if (here && typeof here === 'object' && part in here) {
        next.push([...segs, part]);
      }
    }
    results = next;
  }
  return results;
}
