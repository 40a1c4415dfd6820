/** The one way an audit row is written, by every operation and by maintenance (purge, rotate). */
import type { Logger } from '../log.js';
import type { CallerKey } from './callers.js';
import type { SqlTx } from './sql.js';
import type { Actor, AuditAction, AuditOutcome } from './types.js';

export interface AuditWrite {
  at: number;
  actor: Actor;
  conversationId: string | null;
  /** The caller's keyed hash and its key id; null when the action names no caller. */
  caller: CallerKey | null;
  action: AuditAction;
  outcome: AuditOutcome;
  detail?: string | null;
}

export const AUDIT_INSERT =
  'insert into audit_log (at, actor_type, actor_id, conversation_id, ani_hash, ani_key_id, action, outcome, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?)';

export function auditParams(entry: AuditWrite): (string | number | null)[] {
  return [
    entry.at,
    entry.actor.type,
    entry.actor.id,
    entry.conversationId,
    entry.caller?.hash ?? null,
    entry.caller?.keyId ?? null,
    entry.action,
    entry.outcome,
    entry.detail ?? null,
  ];
}

export async function writeAudit(tx: SqlTx, logger: Logger, entry: AuditWrite): Promise<void> {
  await tx.run(AUDIT_INSERT, auditParams(entry));
  logger.debug(
    {
      action: entry.action,
      outcome: entry.outcome,
      aniHash: entry.caller?.hash ?? null,
      actorType: entry.actor.type,
    },
    'store audit',
  );
}
