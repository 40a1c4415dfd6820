import { newSecret, sha256 } from '../ids.js';
import type { Clock } from '../clock.js';

/**
 * Sign-in sessions of the org's login page: after a user signs in, the browser holds a cookie and
 * later authorize requests from it go straight back to the app (as Genesys' login page remembers a
 * signed-in user), unless the app asks for `prompt=login`. Kept in memory only.
 */
export class SignInSessions {
  private readonly sessions = new Map<string, { userId: string; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    readonly lifetimeSeconds: number,
  ) {}

  open(userId: string): string {
    this.prune();
    const id = newSecret(24);
    this.sessions.set(sha256(id), { userId, expiresAt: this.clock.now() + this.lifetimeSeconds * 1000 });
    return id;
  }

  userOf(id: string | undefined): string | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(sha256(id));
    if (!s || s.expiresAt <= this.clock.now()) return undefined;
    return s.userId;
  }

  close(id: string | undefined): void {
    if (id) this.sessions.delete(sha256(id));
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [key, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(key);
  }
}
