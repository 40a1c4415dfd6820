import type { SessionStateName } from './session.js';
import type { SessionParams } from './session.js';
import { SessionImpl, type SessionDeps, type SessionObserver } from './session-impl.js';
import type { CallRouter } from './calls.js';
import { Timer } from './timing.js';

/** Why a session could not be created; the channels turn it into a 409/503 or an `error-*` event. */
export interface Refusal {
  /** `duplicate-session` (409) or `too-many-sessions` (503). */
  code: 'duplicate-session' | 'too-many-sessions';
  message: string;
}

/**
 * Every session of one emulator: creation limits (unfinished sessions at once, one unfinished session
 * per call and operation), lookup by id for REST, and removal: a finished session stays readable for
 * `timeouts.retainMs` (at most `limits.maxRetainedSessions` of them), a cancelled one goes at once.
 */
export class SessionRegistry implements SessionObserver {
  private readonly sessions = new Map<string, SessionImpl>();
  private readonly retention = new Map<SessionImpl, Timer>();
  private live = 0;

  constructor(
    private readonly deps: SessionDeps,
    private readonly router: CallRouter,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get liveCount(): number {
    return this.live;
  }

  countByState(): Partial<Record<SessionStateName, number>> {
    const counts: Partial<Record<SessionStateName, number>> = {};
    for (const s of this.sessions.values()) counts[s.state.name] = (counts[s.state.name] ?? 0) + 1;
    return counts;
  }

  get(id: string): SessionImpl | undefined {
    return this.sessions.get(id);
  }

  /** A new session, not started yet: attach the channel's hooks, then `activate` it. */
  create(params: SessionParams): SessionImpl | Refusal {
    for (const s of this.sessions.values()) {
      if (s.params.callId === params.callId && s.params.operation === params.operation && s.wantsAudio) {
        return {
          code: 'duplicate-session',
          message: `call ${params.callId} already has a ${params.operation} session in progress (${s.id})`,
        };
      }
    }
    if (this.live >= this.deps.limits.maxSessions) {
      return {
        code: 'too-many-sessions',
        message: `the emulator serves at most ${this.deps.limits.maxSessions} sessions at once`,
      };
    }
    const session = new SessionImpl(params, this.deps, this);
    this.sessions.set(session.id, session);
    this.live++;
    return session;
  }

  /** Starts the session's timers and joins it to its call's audio (which may finish it at once). */
  activate(session: SessionImpl): void {
    session.start();
    this.router.join(session);
  }

  /** Ends every session (shutdown). */
  closeAll(): void {
    for (const session of [...this.sessions.values()]) session.cancel('shutdown');
    for (const timer of this.retention.values()) timer.cancel();
    this.retention.clear();
  }

  // ---- SessionObserver ----------------------------------------------------------------------------

  onDoneWithAudio(session: SessionImpl): void {
    this.router.doneWithAudio(session);
  }

  onFinished(session: SessionImpl): void {
    this.live--;
    const timer = new Timer(this.deps.timers);
    this.retention.set(session, timer);
    timer.start(this.deps.timeouts.retainMs, () => session.close());
    // The Map keeps insertion order: the first entries are the oldest finished sessions.
    while (this.retention.size > this.deps.limits.maxRetainedSessions) {
      const oldest = this.retention.keys().next().value;
      if (!oldest) break;
      oldest.close();
    }
  }

  onClosed(session: SessionImpl): void {
    if (!this.sessions.delete(session.id)) return;
    const timer = this.retention.get(session);
    if (timer) {
      timer.cancel();
      this.retention.delete(session);
    } else {
      // Cancelled before it finished.
      this.live--;
    }
    this.router.leave(session);
  }
}
