/**
 * Every object the kit creates carries this marker in its description or notes, so ownership can be
 * proven from the org itself even when the state file is lost.
 */
const MARKER = /\[managed by daspeak-genesys; deployment ([a-z0-9][a-z0-9-]{3,39})\]/;

export function ownershipMarker(deploymentId: string): string {
  return `[managed by daspeak-genesys; deployment ${deploymentId}]`;
}

/** The deployment id recorded in a description, or null when there is none. */
export function ownerFromText(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  return MARKER.exec(text)?.[1] ?? null;
}

/** `text` with the marker for `deploymentId` (replacing any previous marker). */
export function withMarker(text: string | undefined, deploymentId: string): string {
  const base = (text ?? '').replace(MARKER, '').trim();
  return base ? `${base} ${ownershipMarker(deploymentId)}` : ownershipMarker(deploymentId);
}
