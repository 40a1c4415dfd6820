import express, { type Express, type Response } from 'express';
import { conflict, notFound } from '../api-error.js';
import { isoAt } from '../clock.js';
import { checkFlowYaml } from '../flows/archy.js';
import type { SandboxContext } from '../http/context.js';
import { api } from '../http/pipeline.js';
import { newId, newSecret } from '../ids.js';
import { pageOf } from '../paging.js';
import { PERMISSIONS } from '../permissions.js';
import { nameMatcher, queryBoolean, queryList, queryValue } from '../query.js';
import type { FlowJobRecord, FlowRecord, OrgState } from '../state/model.js';
import { divisionRef } from '../views.js';

export const UPLOAD_PATH = '/uploads/architect';

export function flowView(state: OrgState, f: FlowRecord) {
  const version = {
    id: `${f.publishedVersion}.0`,
    name: f.name,
    commitVersion: `${f.publishedVersion}.0`,
    configurationVersion: `${f.publishedVersion}.0`,
    type: 'PUBLISH',
    secure: false,
    debug: false,
    datePublished: f.datePublished,
    selfUri: `/api/v2/flows/${f.id}/versions/${f.publishedVersion}.0`,
  };
  return {
    id: f.id,
    name: f.name,
    division: divisionRef(state, f.divisionId),
    description: f.description,
    type: f.type.toUpperCase(),
    active: true,
    system: false,
    deleted: false,
    publishedVersion: version,
    checkedInVersion: version,
    selfUri: `/api/v2/flows/${f.id}`,
  };
}

/** S3 answers presigned-upload refusals in XML; the sandbox keeps that shape for its upload URL. */
function s3Error(res: Response, status: number, code: string, message: string): void {
  res
    .status(status)
    .type('application/xml')
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    );
}

export function flowRoutes(app: Express, ctx: SandboxContext): void {
  const { state } = ctx.store;

  const jobView = (job: FlowJobRecord, withMessages: boolean) => ({
    id: job.id,
    ...(job.flowId ? { flow: { id: job.flowId, selfUri: `/api/v2/flows/${job.flowId}` } } : {}),
    status: job.status,
    command: job.command,
    ...(withMessages ? { messages: job.messages } : {}),
    selfUri: `/api/v2/flows/jobs/${job.id}`,
  });

  /** Applies an uploaded flow once its job has been polled enough: publish it or record why not. */
  const finish = (job: FlowJobRecord) => {
    const at = ctx.store.iso();
    const result = checkFlowYaml(state, job.yaml ?? '');
    if (!result.ok) {
      job.status = 'Failure';
      job.messages = result.errors.map((text) => ({ dateTime: at, type: 'ERROR' as const, text }));
    } else {
      const f = result.flow;
      let flow = state.flows.find((x) => x.type === f.type && x.name.toLowerCase() === f.name.toLowerCase());
      if (flow) {
        Object.assign(flow, {
          name: f.name,
          description: f.description,
          divisionId: f.divisionId,
          publishedVersion: flow.publishedVersion + 1,
          yaml: job.yaml ?? '',
          datePublished: at,
          audioMonitoring: f.audioMonitoring,
          inputs: f.inputs,
          outputs: f.outputs,
        } satisfies Partial<FlowRecord>);
      } else {
        flow = {
          id: newId(),
          name: f.name,
          description: f.description,
          type: f.type,
          divisionId: f.divisionId,
          publishedVersion: 1,
          yaml: job.yaml ?? '',
          datePublished: at,
          dateCreated: at,
          ...(f.audioMonitoring !== undefined ? { audioMonitoring: f.audioMonitoring } : {}),
          inputs: f.inputs,
          outputs: f.outputs,
        };
        state.flows.push(flow);
      }
      job.status = 'Success';
      job.flowId = flow.id;
      job.messages = [
        {
          dateTime: at,
          type: 'INFO',
          text: `Published ${f.type} flow '${f.name}' version ${flow.publishedVersion}.0`,
        },
      ];
    }
    delete job.yaml;
    ctx.store.changed();
  };

  app.post(
    '/api/v2/flows/jobs',
    ...api(ctx, PERMISSIONS.jobCreate, (_req, res) => {
      const now = ctx.store.now();
      const id = newId();
      const job: FlowJobRecord = {
        id,
        status: 'Registered',
        command: 'Publish',
        dateCreated: now,
        uploadExpiresAt: now + ctx.settings.uploadUrlSeconds * 1000,
        uploadSignature: newSecret(24),
        headers: {
          'Content-Type': 'text/plain',
          'x-amz-server-side-encryption': 'AES256',
          'x-amz-meta-organizationid': state.organization.id,
        },
        pollsLeft: ctx.settings.flowJobPolls,
        messages: [],
      };
      state.flowJobs.push(job);
      // Jobs are short-lived; keep the last hundred.
      if (state.flowJobs.length > 100) state.flowJobs.splice(0, state.flowJobs.length - 100);
      ctx.store.changed();
      const params = new URLSearchParams({
        'X-Amz-Date': isoAt(now).replace(/[-:]|\.\d+/g, ''),
        'X-Amz-Expires': String(ctx.settings.uploadUrlSeconds),
        'X-Amz-Signature': job.uploadSignature,
      });
      res.json({
        id,
        presignedUrl: `${ctx.baseUrl()}${UPLOAD_PATH}/${id}?${params.toString()}`,
        headers: job.headers,
        selfUri: `/api/v2/flows/jobs/${id}`,
      });
    }),
  );

  app.get(
    '/api/v2/flows/jobs/:jobId',
    ...api(ctx, PERMISSIONS.jobView, (req, res) => {
      const id = String(req.params.jobId);
      const job = state.flowJobs.find((j) => j.id === id);
      if (!job) throw notFound(`Architect job ${id} not found`, id);
      if (job.status === 'Started') {
        if (job.pollsLeft > 0) job.pollsLeft -= 1;
        else finish(job);
        ctx.store.changed();
      }
      res.json(jobView(job, queryList(req, 'expand').includes('messages')));
    }),
  );

  // The presigned upload: authorised by its signature, not a bearer token; every returned header must match.
  app.put(`${UPLOAD_PATH}/:jobId`, express.raw({ type: () => true, limit: '5mb' }), (req, res) => {
    const job = state.flowJobs.find((j) => j.id === String(req.params.jobId));
    if (!job) {
      s3Error(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
      return;
    }
    if (queryValue(req, 'X-Amz-Signature') !== job.uploadSignature) {
      s3Error(
        res,
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
      return;
    }
    if (ctx.store.now() > job.uploadExpiresAt) {
      s3Error(res, 403, 'AccessDenied', 'Request has expired');
      return;
    }
    for (const [name, value] of Object.entries(job.headers)) {
      const sent = req.header(name);
      if (sent !== value) {
        s3Error(
          res,
          403,
          'SignatureDoesNotMatch',
          `Header ${name} must be exactly the value returned with the presigned URL (got ${sent === undefined ? 'none' : JSON.stringify(sent)}).`,
        );
        return;
      }
    }
    if (job.status !== 'Registered') {
      s3Error(res, 403, 'AccessDenied', 'This upload URL has already been used.');
      return;
    }
    job.yaml = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    job.status = 'Started';
    ctx.store.changed();
    res.status(200).end();
  });

  app.get(
    '/api/v2/flows',
    ...api(ctx, PERMISSIONS.flowView, (req, res) => {
      const types = queryList(req, 'type').map((t) => t.toLowerCase());
      const matches = nameMatcher(queryValue(req, 'name'));
      const ids = queryList(req, 'id');
      const divisions = queryList(req, 'divisionId');
      const deleted = queryBoolean(req, 'deleted');
      const flows = state.flows
        .filter((f) => types.length === 0 || types.includes(f.type))
        .filter((f) => matches(f.name))
        .filter((f) => ids.length === 0 || ids.includes(f.id))
        .filter((f) => divisions.length === 0 || divisions.includes(f.divisionId))
        .filter(() => deleted !== true)
        .sort((a, b) => a.name.localeCompare(b.name));
      if (queryValue(req, 'sortOrder')?.toLowerCase() === 'desc') flows.reverse();
      res.json(
        pageOf(
          req,
          '/api/v2/flows',
          flows.map((f) => flowView(state, f)),
        ),
      );
    }),
  );

  const find = (id: string) => {
    const f = state.flows.find((x) => x.id === id);
    if (!f) throw notFound(`Flow ${id} not found`, id);
    return f;
  };

  app.get(
    '/api/v2/flows/:flowId',
    ...api(ctx, PERMISSIONS.flowView, (req, res) => {
      res.json(flowView(state, find(String(req.params.flowId))));
    }),
  );

  app.delete(
    '/api/v2/flows/:flowId',
    ...api(ctx, PERMISSIONS.flowDelete, (req, res) => {
      const f = find(String(req.params.flowId));
      if (f.type === 'commonmodule') {
        const users = state.flows.filter((x) => x.id !== f.id && callsModule(x.yaml, f.name));
        if (users.length > 0) {
          throw conflict(
            `Flow '${f.name}' is used by [${users.map((u) => u.name).join(', ')}]; delete or republish them first.`,
          );
        }
      }
      state.flows = state.flows.filter((x) => x.id !== f.id);
      ctx.store.changed();
      res.status(204).end();
    }),
  );

  app.post(
    '/api/v2/flows/actions/unlock',
    ...api(ctx, PERMISSIONS.flowUnlock, (req, res) => {
      res.json(flowView(state, find(queryValue(req, 'flow') ?? '')));
    }),
  );
}

/** Whether a flow's YAML calls a common module by name (the dependency Architect tracks). */
function callsModule(yaml: string, moduleName: string): boolean {
  const escaped = moduleName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return /callCommonModule:/.test(yaml) && new RegExp(`^\\s*["']?${escaped}["']?\\s*:`, 'mi').test(yaml);
}
