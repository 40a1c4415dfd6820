/**
 * Human output of a simulation: a few lines per call, or a summary for a load run. Machine output is the
 * result object itself (`--json`); neither ever holds a credential or another secret.
 */
import type { CallReport } from './call.js';
import type { ErrorGroup, LoadSummary } from './load.js';
import type { LoadResult, SimulationResult, SingleCallResult } from './simulation.js';
import type { Percentiles } from './stats.js';

/** 850 ms, 1.42 s, 2 min 5 s. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

export function formatSpeed(speed: number): string {
  if (!Number.isFinite(speed)) return 'max speed';
  return speed === 1 ? 'real time' : `${speed}× real time`;
}

function score(value: number | undefined): string | undefined {
  return value === undefined ? undefined : value.toFixed(3);
}

/** `verified, score 0.912 (threshold 0.500), authenticity 0.990`. */
export function describeOutcome(call: CallReport): string {
  if (call.kind === 'error') {
    const e = call.error;
    return e ? `error (${e.source} ${e.code}): ${e.message}` : 'error';
  }
  const parts: string[] = [call.kind];
  const s = score(call.score);
  if (s !== undefined && call.kind !== 'spoof') {
    parts.push(`score ${s}${call.threshold !== undefined ? ` (threshold ${score(call.threshold)})` : ''}`);
  }
  const a = score(call.authenticity);
  if (a !== undefined) {
    const threshold =
      call.kind === 'spoof' && call.threshold !== undefined ? ` (threshold ${score(call.threshold)})` : '';
    parts.push(`authenticity ${a}${threshold}`);
  }
  return parts.join(', ');
}

/** The timings of one call, in the order they happen. */
export function describeTimings(call: CallReport): string[] {
  const t = call.timings;
  const steps: [string, number | undefined][] = [
    ['audiohook opened', t.audiohookOpenedMs],
    ['session created', t.sessionCreatedMs],
    ['consumer ready', t.consumerReadyMs],
    ['speech started', t.speechStartedMs],
    [`${call.requiredNetSpeechSeconds} s net speech sent`, t.requiredSpeechSentMs],
    ['result', t.resultMs],
  ];
  const shown = steps.filter(([, v]) => v !== undefined).map(([name, v]) => `${name} ${formatMs(v)}`);
  const lines = shown.length > 0 ? [`timings: ${shown.join(' · ')} (from the call start)`] : [];
  if (t.speechToResultMs !== undefined) {
    lines.push(
      `latency: result ${formatMs(t.speechToResultMs)} after the required net speech was on the line`,
    );
  }
  return lines;
}

/** What the org's call report says, with `--via-genesys`: the call and each Audiohook session it opened. */
export function describeGenesys(call: CallReport): string[] {
  const g = call.genesys;
  if (!g) return [];
  const lines = [
    `genesys: call ${g.callId}, conversation ${g.conversationId}${g.queueId ? `, queue ${g.queueId}` : ''}, audio monitoring ${g.monitored ? 'on' : 'off'}, ${g.state}`,
  ];
  for (const s of g.sessions) {
    const parts: string[] = [];
    if (s.error) parts.push(`not started (${s.error.code}: ${s.error.message})`);
    else if (!s.opened) parts.push(`not opened${s.httpStatus !== null ? ` (HTTP ${s.httpStatus})` : ''}`);
    else {
      parts.push(`opened, media ${s.media ? s.media.join('+') : 'none'}, ${s.secondsSent.toFixed(1)} s sent`);
      parts.push(
        s.closeReason !== null
          ? `closed (${s.closeReason}${s.closedByServer ? '' : ', not confirmed'})`
          : 'not closed',
      );
      if (s.disconnectReason !== null) parts.push(`server disconnect ${s.disconnectReason}`);
    }
    if (s.errors.length > 0)
      parts.push(`errors: ${s.errors.map((e) => `${e.code}: ${e.message}`).join('; ')}`);
    lines.push(`  audiohook ${s.integrationName} → ${s.connectionUri}: ${parts.join(', ')}`);
  }
  return lines;
}

export function formatCall(result: SingleCallResult): string[] {
  const c = result.call;
  const audio = `${c.audio.source} (${c.audio.seconds.toFixed(1)} s, ${c.audio.netSpeechSeconds.toFixed(1)} s net speech)`;
  const lines = [
    `call ${c.callId}  ANI ${c.ani}  target ${result.target}${c.genesys ? ' via Genesys' : ''}`,
    `${c.operation} over ${c.channel}, ${audio}, ${formatSpeed(result.speed)}`,
    `outcome: ${describeOutcome(c)}${c.expected ? '' : `  [expected ${result.expect === 'any' ? 'a result' : result.expect}]`}`,
  ];
  if (c.progress) {
    const of = c.progress.audioTotalDuration !== undefined ? ` of ${c.progress.audioTotalDuration} s` : '';
    lines.push(`net speech reported by das-Peak: ${c.progress.netSpeechDuration.toFixed(1)} s${of}`);
  }
  lines.push(...describeTimings(c));
  lines.push(...describeGenesys(c));
  if (c.audiohook.errors.length > 0 && c.error?.source !== 'audiohook') {
    lines.push(`audiohook: ${c.audiohook.errors.map((e) => `${e.code}: ${e.message}`).join('; ')}`);
  }
  if (result.credentialSavedTo) lines.push(`credential saved to ${result.credentialSavedTo}`);
  else if (c.kind === 'registered')
    lines.push('credential: not shown (save it with --credential-out <file>)');
  if (result.interrupted) lines.push('interrupted: the call was hung up early');
  return lines;
}

function percentileLine(name: string, p: Percentiles | undefined): string | undefined {
  if (!p) return undefined;
  return `${name}: p50 ${formatMs(p.p50)}  p90 ${formatMs(p.p90)}  p99 ${formatMs(p.p99)}  max ${formatMs(p.max)}  (${p.count} calls)`;
}

function errorLine(e: ErrorGroup): string {
  return `  ${e.count}× ${e.source} ${e.code}: ${e.message}`;
}

export function formatLoad(result: LoadResult): string[] {
  const s: LoadSummary = result.summary;
  const counts = Object.entries(s.outcomes)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const lines = [
    `${s.completed} of ${s.requested} calls: ${result.operation} over ${result.channel}, concurrency ${s.concurrency}, ${formatSpeed(result.speed)}, target ${result.target}`,
    `outcomes: ${counts || 'none'}`,
    `expected (${result.expect}): ${s.expected}, unexpected: ${s.unexpected}`,
  ];
  for (const line of [
    percentileLine('latency, net speech → result', s.latency.speechToResultMs),
    percentileLine('latency, call start → result', s.latency.resultMs),
    percentileLine('latency, call start → consumer ready', s.latency.consumerReadyMs),
  ]) {
    if (line) lines.push(line);
  }
  if (s.errors.length > 0) lines.push('errors:', ...s.errors.map(errorLine));
  lines.push(`wall time ${formatMs(s.wallMs)}, ${s.callsPerSecond} calls/s`);
  if (result.interrupted) lines.push('interrupted: not every call ran');
  return lines;
}

export function formatResult(result: SimulationResult): string[] {
  return result.mode === 'single' ? formatCall(result) : formatLoad(result);
}
