/**
 * When the simulated caller starts to speak: right after a data action answers with a das-Peak
 * session that is waiting for audio (Create Register Session, or the backend's Start Verification),
 * as a real caller speaks when the flow asks them to. Judged by what the action answered, not by its
 * name, so the offline run and the sandbox org (whose actions are whatever was published) agree.
 */
const WAITING = new Set(['waiting-consumer', 'consumer-ready']);

export function startsSession(outputs: Record<string, unknown>): boolean {
  return (
    typeof outputs.sessionId === 'string' &&
    outputs.sessionId !== '' &&
    typeof outputs.status === 'string' &&
    WAITING.has(outputs.status)
  );
}
