/**
 * CPU time used so far by the PostgreSQL server processes of this machine (all of them: backends,
 * WAL writer, checkpointer), read from /proc; undefined where there is no /proc or no local server.
 * The benchmarks report it per operation, since PostgreSQL's CPU is what several backend instances
 * on one database share.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export function postgresCpuSeconds(): number | undefined {
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    if (!stat.includes('(postgres)')) continue;
    // Fields after "(comm) ": state is the 1st, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    found = true;
  }
  return found ? ticks / TICKS_PER_SECOND : undefined;
}
