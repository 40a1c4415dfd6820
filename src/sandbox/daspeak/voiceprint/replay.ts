/**
 * Replay detection against ONE credential: its registration audio, played back to verify it, is a
 * spoof. The credential carries a replay print, a sample of the fingerprints of its registration
 * speech (credential.ts); verification compares the new audio's fingerprints with that print only.
 * Nothing is remembered between sessions, so the same voice can register on any number of calls,
 * any emulator instance judges a credential the same way, and a load test gives real outcomes.
 *
 * A fingerprint is the 32-bit pattern of band-energy changes of one 5 ms hop (analyser.ts). Played
 * again, the same audio gives the same patterns at the same distances from each other, whatever the
 * chunking and however much silence precedes it; only where the stream starts moves, which shifts every
 * position by one constant. So a replay shows up as many print entries found at ONE consistent offset
 * (the idea behind landmark audio fingerprinting); fresh speech, even the same person saying the same
 * words, matches at most a few, scattered over many offsets.
 *
 * When the replay is shifted by a fraction of a hop, a hop falls between two printed ones and its bits
 * are a mix of both, so fewer match exactly; neighbouring offsets are therefore counted together.
 */

/** Print entries kept in a credential: enough for a stable fraction, small enough for a credential. */
export const REPLAY_PRINT_SIZE = 160;

/** The replay-relevant part of a voiceprint. */
export interface FingerprintSequence {
  fingerprints: Uint32Array;
  positions: Uint32Array;
  weakBits: Uint32Array;
}

/** A sample of a registration's fingerprints, positions relative to the first (in 5 ms hops). */
export interface ReplayPrint {
  fingerprints: Uint32Array;
  positions: Uint32Array;
}

export const EMPTY_REPLAY_PRINT: ReplayPrint = {
  fingerprints: new Uint32Array(0),
  positions: new Uint32Array(0),
};

/** Evenly spaced entries of the speech's fingerprints (all of them when there are few). */
export function replayPrintOf(speech: FingerprintSequence, size: number = REPLAY_PRINT_SIZE): ReplayPrint {
  const n = speech.fingerprints.length;
  const count = Math.min(n, size);
  const fingerprints = new Uint32Array(count);
  const positions = new Uint32Array(count);
  const first = count > 0 ? speech.positions[0]! : 0;
  for (let k = 0; k < count; k++) {
    const i = Math.floor((k * n) / count);
    fingerprints[k] = speech.fingerprints[i]!;
    positions[k] = speech.positions[i]! - first;
  }
  return { fingerprints, positions };
}

/** The fingerprint and every variant with some of its weak bits flipped. */
function probes(fingerprint: number, weakBits: number): number[] {
  const out = [fingerprint];
  for (let bit = 1; bit !== 0 && bit <= weakBits; bit = (bit << 1) >>> 0) {
    if (!(weakBits & bit)) continue;
    const n = out.length;
    for (let i = 0; i < n; i++) out.push((out[i]! ^ bit) >>> 0);
  }
  return out;
}

/**
 * The largest share (0..1) of the print's entries found in `query` at one consistent offset: near 1
 * for the registration audio played again, near 0 for any other take.
 */
export function matchedFraction(print: ReplayPrint, query: FingerprintSequence): number {
  const m = print.fingerprints.length;
  if (m === 0 || query.fingerprints.length === 0) return 0;
  const where = new Map<number, number[]>();
  for (let j = 0; j < m; j++) {
    const fp = print.fingerprints[j]!;
    const list = where.get(fp);
    if (list) list.push(j);
    else where.set(fp, [j]);
  }
  // For each offset (query position - print position), the print entries found there.
  const found = new Map<number, Set<number>>();
  for (let i = 0; i < query.fingerprints.length; i++) {
    for (const probe of probes(query.fingerprints[i]!, query.weakBits[i]!)) {
      const entries = where.get(probe);
      if (!entries) continue;
      for (const j of entries) {
        const offset = query.positions[i]! - print.positions[j]!;
        let set = found.get(offset);
        if (!set) found.set(offset, (set = new Set()));
        set.add(j);
      }
    }
  }
  let best = 0;
  for (const [offset, entries] of found) {
    const around = new Set(entries);
    for (const j of found.get(offset - 1) ?? []) around.add(j);
    for (const j of found.get(offset + 1) ?? []) around.add(j);
    if (around.size > best) best = around.size;
  }
  return Math.min(1, best / m);
}
