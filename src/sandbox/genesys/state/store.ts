import type { Logger } from '../../../log.js';
import { isoAt, type Clock } from '../clock.js';
import { saveStateFile } from './persist.js';
import type { OrgState, TokenRecord } from './model.js';

/**
 * Holds one org's state, its clock and (optionally) the file it is persisted to. Routes change the
 * records in place and call `changed()`; the state is written once the response has been sent.
 */
export class SandboxStore {
  private dirty = false;

  constructor(
    readonly state: OrgState,
    readonly clock: Clock,
    private readonly file: string | undefined,
    private readonly logger: Logger,
  ) {}

  now(): number {
    return this.clock.now();
  }

  iso(): string {
    return isoAt(this.clock.now());
  }

  changed(): void {
    this.dirty = true;
  }

  /** Writes the state file when something changed; a failed write is logged, never thrown at a request. */
  flush(): void {
    if (!this.dirty || !this.file) return;
    this.dirty = false;
    try {
      saveStateFile(this.file, this.state);
    } catch (err) {
      this.dirty = true;
      this.logger.error({ err, file: this.file }, 'could not write the sandbox state file');
    }
  }

  /** Drops expired tokens so a long-running sandbox does not grow without bound. */
  pruneTokens(): void {
    const now = this.now();
    const before = this.state.tokens.length;
    this.state.tokens = this.state.tokens.filter((t: TokenRecord) => t.expiresAt > now);
    if (this.state.tokens.length !== before) this.changed();
  }
}
