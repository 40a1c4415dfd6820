/** Response headers as the SDK hands them over: a plain object or axios' AxiosHeaders. */
export type HeaderBag = unknown;

/** One header's value, case-insensitively, from a plain object or AxiosHeaders. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue;
    if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}
