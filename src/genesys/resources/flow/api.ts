import { isGenesysApiError, paginate, type EntityListing } from '../../platform/index.js';
import { KitError } from '../../../errors.js';
import type { OnProgress } from '../../../progress.js';
import type { GenesysOrg } from '../shared/org.js';

/**
 * Architect flows through the job route Terraform's genesyscloud_flow uses (reference §7.3): POST
 * /api/v2/flows/jobs, PUT the Archy YAML to the presigned URL with exactly the returned headers,
 * poll the job until Success or Failure. No Archy binary is needed.
 */

export interface FlowRecord {
  id: string;
  name: string;
  /** Lower case API type: `inboundcall`, `commonmodule`. */
  type: string;
  description: string;
  publishedVersion: string;
}

interface FlowBody {
  id?: string;
  name?: string;
  type?: string;
  description?: string;
  publishedVersion?: { id?: string };
}

export async function listFlows(org: GenesysOrg, types: string[]): Promise<FlowRecord[]> {
  const { platform } = org;
  const out: FlowRecord[] = [];
  for await (const f of paginate<FlowBody>(
    {
      byNumber: (pageNumber) =>
        platform.request<EntityListing<FlowBody>>('GET', '/api/v2/flows', undefined, {
          query: { pageSize: 100, pageNumber, type: types.join(',') },
          description: 'list flows',
        }),
      byUri: (uri) =>
        platform.request<EntityListing<FlowBody>>('GET', uri, undefined, { description: 'list flows' }),
    },
    { description: 'flows' },
  )) {
    if (!f.id) continue;
    out.push({
      id: f.id,
      name: f.name ?? '',
      type: (f.type ?? '').toLowerCase(),
      description: f.description ?? '',
      publishedVersion: f.publishedVersion?.id ?? '',
    });
  }
  return out;
}

interface JobAnswer {
  id: string;
  presignedUrl?: string;
  headers?: Record<string, string>;
  status?: string;
  flow?: { id?: string };
  messages?: { type?: string; text?: string }[];
}

export interface PublishOptions {
  /** Longest wait for the job (Terraform waits 16 minutes). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when the YAML is uploaded and Architect's job is running (it can take minutes). */
  onProgress?: OnProgress;
}

/** Publishes one Archy YAML; resolves to the flow id, or throws with Architect's messages. */
export async function publishFlowYaml(
  org: GenesysOrg,
  name: string,
  yaml: string,
  options: PublishOptions = {},
): Promise<string> {
  const { platform } = org;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const job = await platform.request<JobAnswer>('POST', '/api/v2/flows/jobs', undefined, {
    description: `register a publish job for flow ${name}`,
  });
  if (!job.presignedUrl) throw new KitError('flows.job', `the flows job for ${name} has no upload URL`);
  let res: Response;
  try {
    res = await fetch(job.presignedUrl, {
      method: 'PUT',
      headers: job.headers ?? {},
      body: yaml,
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new KitError('flows.upload_failed', `uploading flow ${name} failed: ${(err as Error).message}`, {
      hint: 'check the network to the Genesys upload URL and run provision again',
    });
  }
  if (!res.ok) {
    const body = (await res.text()).slice(0, 300);
    throw new KitError('flows.upload_failed', `uploading flow ${name} was refused: ${res.status} ${body}`, {
      hint: 'run provision again (the upload URL may have expired)',
    });
  }
  options.onProgress?.({
    type: 'step',
    action: 'uploaded',
    kind: 'flow',
    name,
    id: job.id,
    detail: "waiting for Architect's publish job",
  });
  const deadline = Date.now() + (options.timeoutMs ?? 16 * 60_000);
  let wait = 50;
  for (;;) {
    const state = await platform.request<JobAnswer>(
      'GET',
      `/api/v2/flows/jobs/${encodeURIComponent(job.id)}`,
      undefined,
      {
        query: { expand: 'messages' },
        description: `read the publish job of flow ${name}`,
      },
    );
    if (state.status === 'Success' && state.flow?.id) return state.flow.id;
    if (state.status === 'Failure') {
      const texts = (state.messages ?? []).filter((m) => m.type !== 'INFO').map((m) => m.text ?? '');
      throw new KitError(
        'flows.publish_failed',
        `Architect refused flow ${name}: ${texts.join('; ') || 'no message'}`,
        {
          hint: 'run `daspeak-genesys flows validate --org` to see the problem with its line',
          details: { jobId: job.id, messages: texts },
        },
      );
    }
    if (Date.now() > deadline) {
      throw new KitError(
        'flows.publish_timeout',
        `the publish job of flow ${name} (${job.id}) did not finish in time`,
        {
          hint: 'run provision again; it checks the flow again',
        },
      );
    }
    await sleep(wait);
    wait = Math.min(wait * 2, 5000);
  }
}

export async function deleteFlow(org: GenesysOrg, id: string): Promise<void> {
  try {
    await org.platform.request('DELETE', `/api/v2/flows/${encodeURIComponent(id)}`, undefined, {
      description: 'delete a flow',
    });
  } catch (err) {
    if (isGenesysApiError(err) && err.status === 404) return;
    throw err;
  }
}
