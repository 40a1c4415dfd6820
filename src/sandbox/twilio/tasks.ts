/**
 * TaskRouter as Flex uses it for voice: each inbound call becomes a voice task (attributes as Studio's
 * "Send to Flex" writes them: call_sid, from, to, direction, conference.participants.customer) reserved
 * to a worker; the agent accepts it (reservation `accepted`, task `assigned`), and when the call ends
 * the task goes to `wrapping` until the agent completes it. A task nobody accepted is `canceled`.
 */
import { newSid } from './sids.js';
import {
  trim,
  type CallRecord,
  type ReservationRecord,
  type TaskRecord,
  type TwilioState,
  type WorkerRecord,
} from './state.js';
import { TwilioApiError } from './errors.js';

const KEEP_TASKS = 1000;

/** A sandbox control refusal in Twilio's shape (these routes are the stand-in's own, not Twilio's). */
export const conflict = (message: string) => new TwilioApiError(409, 20409, message);
export const unknown = (what: string) => new TwilioApiError(404, 20404, `${what} not found`);

export class TaskBoard {
  constructor(
    private readonly state: TwilioState,
    private readonly now: () => number,
  ) {}

  worker(key: string | undefined): WorkerRecord {
    if (key === undefined) {
      const first = this.state.workers[0];
      if (!first) throw conflict('The workspace has no workers');
      return first;
    }
    const lower = key.toLowerCase();
    const w = this.state.workers.find((x) => x.sid === key || x.identity.toLowerCase() === lower);
    if (!w) {
      throw new TwilioApiError(
        400,
        20001,
        `Worker ${key} not found; workers: ${this.state.workers.map((x) => x.identity).join(', ')}`,
      );
    }
    return w;
  }

  /** The voice task of a new inbound call, reserved to `worker` (pending, or accepted at once). */
  createForCall(
    call: CallRecord,
    worker: WorkerRecord,
    accept: boolean,
  ): { task: TaskRecord; reservation: ReservationRecord } {
    const now = this.now();
    const task: TaskRecord = {
      sid: newSid('WT'),
      callSid: call.sid,
      attributes: {
        call_sid: call.sid,
        account_sid: this.state.accountSid,
        from: call.from,
        caller: call.from,
        to: call.to,
        called: call.to,
        direction: 'inbound',
        type: 'inbound',
        name: call.from,
        conference: { participants: { customer: call.sid } },
      },
      assignmentStatus: 'reserved',
      createdAt: now,
      updatedAt: now,
    };
    const reservation: ReservationRecord = {
      sid: newSid('WR'),
      taskSid: task.sid,
      workerSid: worker.sid,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
    };
    this.state.tasks.set(task.sid, task);
    this.state.reservations.set(reservation.sid, reservation);
    trim(this.state.tasks, KEEP_TASKS);
    trim(this.state.reservations, KEEP_TASKS);
    if (accept) this.accept(task.sid);
    return { task, reservation };
  }

  task(taskSid: string): TaskRecord {
    const t = this.state.tasks.get(taskSid);
    if (!t) throw unknown(`Task ${taskSid}`);
    return t;
  }

  reservationOf(taskSid: string): ReservationRecord | undefined {
    return [...this.state.reservations.values()].findLast((r) => r.taskSid === taskSid);
  }

  /** The agent accepts the reservation: the task is assigned (409 unless it is waiting for them). */
  accept(taskSid: string): TaskRecord {
    const task = this.task(taskSid);
    const r = this.reservationOf(taskSid);
    if (task.assignmentStatus !== 'reserved' || r?.status !== 'pending') {
      throw conflict(`Task ${taskSid} is ${task.assignmentStatus}: only a reserved task can be accepted`);
    }
    const now = this.now();
    r.status = 'accepted';
    r.updatedAt = now;
    task.assignmentStatus = 'assigned';
    task.updatedAt = now;
    return task;
  }

  /** The agent completes the task (after wrap-up, or ends it while assigned). */
  complete(taskSid: string): TaskRecord {
    const task = this.task(taskSid);
    if (task.assignmentStatus !== 'assigned' && task.assignmentStatus !== 'wrapping') {
      throw conflict(
        `Task ${taskSid} is ${task.assignmentStatus}: only an assigned or wrapping task can be completed`,
      );
    }
    const now = this.now();
    task.assignmentStatus = 'completed';
    task.updatedAt = now;
    const r = this.reservationOf(taskSid);
    if (r) {
      r.status = 'completed';
      r.updatedAt = now;
    }
    return task;
  }

  /** The call behind a task ended: an assigned task wraps up, a waiting one is canceled. */
  callEnded(call: CallRecord): void {
    const now = this.now();
    for (const task of this.state.tasks.values()) {
      if (task.callSid !== call.sid) continue;
      const r = this.reservationOf(task.sid);
      if (task.assignmentStatus === 'assigned') {
        task.assignmentStatus = 'wrapping';
        if (r) r.status = 'wrapping';
      } else if (task.assignmentStatus === 'reserved' || task.assignmentStatus === 'pending') {
        task.assignmentStatus = 'canceled';
        if (r) r.status = 'canceled';
      } else continue;
      task.updatedAt = now;
      if (r) r.updatedAt = now;
    }
  }

  /** Tasks that involve `workerSid` (through a reservation), newest first. */
  tasksOf(workerSid: string | undefined): TaskRecord[] {
    const tasks = [...this.state.tasks.values()].filter(
      (t) => workerSid === undefined || this.reservationOf(t.sid)?.workerSid === workerSid,
    );
    return tasks.reverse();
  }
}
