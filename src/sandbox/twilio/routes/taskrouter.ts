/**
 * TaskRouter (taskrouter.twilio.com/v1) as the kit reads it: the workspace's workers, a worker's
 * reservations (`ReservationStatus` filter), tasks. Lists have TaskRouter's `meta` block (`key` names
 * the array). The stand-in has one workspace; another SID is an unknown resource (20404).
 */
import type { Express, Request } from 'express';
import { badParameter, notFound } from '../errors.js';
import type { TwilioContext } from '../http/context.js';
import { basicAuth } from '../http/pipeline.js';
import { reservationView, taskView, workerView } from '../views.js';

const WORKSPACE = '/v1/Workspaces/:workspaceSid';
const RESERVATION_STATUSES = [
  'pending',
  'accepted',
  'rejected',
  'timeout',
  'canceled',
  'rescinded',
  'wrapping',
  'completed',
];
const ASSIGNMENT_STATUSES = ['pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled'];

function filterValue(req: Request, name: string, allowed: string[]): string[] | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) =>
    typeof v === 'string' ? v.split(',') : ['?'],
  );
  for (const v of values) {
    if (!allowed.includes(v)) throw badParameter(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
  }
  return values;
}

/** One page of a TaskRouter list with its `meta` block; links keep the caller's filters. */
function listOf<T>(ctx: TwilioContext, req: Request, key: string, items: T[]) {
  const pageSize = Math.min(1000, Math.max(1, Number(req.query.PageSize ?? 50) || 50));
  const pageNo = Math.max(0, Number(req.query.Page ?? 0) || 0);
  const path = `${ctx.baseUrl()}${req.path}`;
  const url = (n: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query)) {
      if (k === 'Page' || k === 'PageSize' || k === 'PageToken') continue;
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') q.append(k, x);
    }
    q.set('PageSize', String(pageSize));
    q.set('Page', String(n));
    return `${path}?${q.toString()}`;
  };
  return {
    [key]: items.slice(pageNo * pageSize, (pageNo + 1) * pageSize),
    meta: {
      page: pageNo,
      page_size: pageSize,
      first_page_url: url(0),
      previous_page_url: pageNo > 0 ? url(pageNo - 1) : null,
      url: url(pageNo),
      next_page_url: (pageNo + 1) * pageSize < items.length ? url(pageNo + 1) : null,
      key,
    },
  };
}

export function taskRouterRoutes(app: Express, ctx: TwilioContext): void {
  const { state } = ctx;
  const base = () => ctx.baseUrl();
  const workspace = (req: Request) => {
    if (req.params.workspaceSid !== state.workspaceSid) throw notFound(req.path);
  };
  const worker = (req: Request) => {
    workspace(req);
    const w = state.workers.find((x) => x.sid === req.params.workerSid);
    if (!w) throw notFound(req.path);
    return w;
  };

  app.get(`${WORKSPACE}/Workers`, basicAuth(ctx), (req, res) => {
    workspace(req);
    res.json(
      listOf(
        ctx,
        req,
        'workers',
        state.workers.map((w) => workerView(base(), state, w)),
      ),
    );
  });

  app.get(`${WORKSPACE}/Workers/:workerSid`, basicAuth(ctx), (req, res) => {
    res.json(workerView(base(), state, worker(req)));
  });

  app.get(`${WORKSPACE}/Workers/:workerSid/Reservations`, basicAuth(ctx), (req, res) => {
    const w = worker(req);
    const statuses = filterValue(req, 'ReservationStatus', RESERVATION_STATUSES);
    const items = [...state.reservations.values()]
      .filter((r) => r.workerSid === w.sid && (!statuses || statuses.includes(r.status)))
      .reverse()
      .map((r) => reservationView(base(), state, r));
    res.json(listOf(ctx, req, 'reservations', items));
  });

  app.get(`${WORKSPACE}/Workers/:workerSid/Reservations/:reservationSid`, basicAuth(ctx), (req, res) => {
    const w = worker(req);
    const r = state.reservations.get(String(req.params.reservationSid));
    if (!r || r.workerSid !== w.sid) throw notFound(req.path);
    res.json(reservationView(base(), state, r));
  });

  app.get(`${WORKSPACE}/Tasks`, basicAuth(ctx), (req, res) => {
    workspace(req);
    const statuses = filterValue(req, 'AssignmentStatus', ASSIGNMENT_STATUSES);
    const now = ctx.now();
    const items = [...state.tasks.values()]
      .filter((t) => !statuses || statuses.includes(t.assignmentStatus))
      .reverse()
      .map((t) => taskView(base(), state, t, now));
    res.json(listOf(ctx, req, 'tasks', items));
  });

  app.get(`${WORKSPACE}/Tasks/:taskSid`, basicAuth(ctx), (req, res) => {
    workspace(req);
    const t = state.tasks.get(String(req.params.taskSid));
    if (!t) throw notFound(req.path);
    res.json(taskView(base(), state, t, ctx.now()));
  });
}
