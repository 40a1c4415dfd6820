/**
 * Records rendered in Twilio's JSON: snake_case, the 2010 API's relative `uri` and RFC 2822 dates,
 * TaskRouter's absolute `url` and ISO dates. Fields the kit never reads are kept where Twilio sends
 * them, so the helper library's instances are complete.
 */
import { iso8601, rfc2822 } from './sids.js';
import type {
  CallRecord,
  ReservationRecord,
  StreamRecord,
  TaskRecord,
  TwilioState,
  WorkerRecord,
} from './state.js';

const API = '/2010-04-01';

export function callUri(state: TwilioState, callSid: string): string {
  return `${API}/Accounts/${state.accountSid}/Calls/${callSid}`;
}

export function callView(state: TwilioState, call: CallRecord) {
  const uri = callUri(state, call.sid);
  const duration =
    call.endedAt !== undefined
      ? String(Math.max(0, Math.round((call.endedAt - call.startedAt) / 1000)))
      : null;
  return {
    sid: call.sid,
    date_created: rfc2822(call.createdAt),
    date_updated: rfc2822(call.updatedAt),
    parent_call_sid: null,
    account_sid: state.accountSid,
    to: call.to,
    to_formatted: call.to,
    from: call.from,
    from_formatted: call.from,
    phone_number_sid: null,
    status: call.status,
    start_time: rfc2822(call.startedAt),
    end_time: call.endedAt !== undefined ? rfc2822(call.endedAt) : null,
    duration,
    price: null,
    price_unit: 'USD',
    direction: call.direction,
    answered_by: null,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${uri}.json`,
    subresource_uris: {
      notifications: `${uri}/Notifications.json`,
      recordings: `${uri}/Recordings.json`,
      streams: `${uri}/Streams.json`,
      events: `${uri}/Events.json`,
    },
  };
}

export function streamView(state: TwilioState, stream: StreamRecord) {
  return {
    sid: stream.sid,
    account_sid: state.accountSid,
    call_sid: stream.callSid,
    name: stream.name ?? null,
    status: stream.status,
    date_updated: rfc2822(stream.updatedAt),
    uri: `${callUri(state, stream.callSid)}/Streams/${stream.sid}.json`,
  };
}

function workspaceUrl(base: string, state: TwilioState): string {
  return `${base}/v1/Workspaces/${state.workspaceSid}`;
}

export function workerView(base: string, state: TwilioState, worker: WorkerRecord) {
  const url = `${workspaceUrl(base, state)}/Workers/${worker.sid}`;
  return {
    account_sid: state.accountSid,
    activity_name: worker.activityName,
    activity_sid: null,
    attributes: JSON.stringify({ contact_uri: `client:${worker.identity}`, full_name: worker.friendlyName }),
    available: worker.activityName === 'Available',
    date_created: iso8601(worker.createdAt),
    date_status_changed: iso8601(worker.updatedAt),
    date_updated: iso8601(worker.updatedAt),
    friendly_name: worker.identity,
    sid: worker.sid,
    workspace_sid: state.workspaceSid,
    url,
    links: { reservations: `${url}/Reservations`, workspace: workspaceUrl(base, state) },
  };
}

export function taskView(base: string, state: TwilioState, task: TaskRecord, now: number) {
  const url = `${workspaceUrl(base, state)}/Tasks/${task.sid}`;
  return {
    account_sid: state.accountSid,
    age: Math.max(0, Math.round((now - task.createdAt) / 1000)),
    assignment_status: task.assignmentStatus,
    attributes: JSON.stringify(task.attributes),
    addons: '{}',
    date_created: iso8601(task.createdAt),
    date_updated: iso8601(task.updatedAt),
    task_queue_entered_date: iso8601(task.createdAt),
    priority: 0,
    reason: null,
    sid: task.sid,
    task_queue_sid: null,
    task_queue_friendly_name: 'Everyone',
    task_channel_sid: null,
    task_channel_unique_name: 'voice',
    timeout: 86400,
    workflow_sid: null,
    workflow_friendly_name: 'Assign to Anyone',
    workspace_sid: state.workspaceSid,
    url,
    links: { reservations: `${url}/Reservations`, workspace: workspaceUrl(base, state) },
  };
}

export function reservationView(base: string, state: TwilioState, r: ReservationRecord) {
  const worker = state.workers.find((w) => w.sid === r.workerSid);
  const url = `${workspaceUrl(base, state)}/Workers/${r.workerSid}/Reservations/${r.sid}`;
  return {
    account_sid: state.accountSid,
    date_created: iso8601(r.createdAt),
    date_updated: iso8601(r.updatedAt),
    reservation_status: r.status,
    sid: r.sid,
    task_sid: r.taskSid,
    worker_name: worker?.identity ?? '',
    worker_sid: r.workerSid,
    workspace_sid: state.workspaceSid,
    url,
    links: {
      task: `${workspaceUrl(base, state)}/Tasks/${r.taskSid}`,
      worker: `${workspaceUrl(base, state)}/Workers/${r.workerSid}`,
      workspace: workspaceUrl(base, state),
    },
  };
}
