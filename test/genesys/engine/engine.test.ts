import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { keyedFingerprints } from '../../../src/genesys/engine/diff.js';
import { Engine, type EngineOptions } from '../../../src/genesys/engine/engine.js';
import type { DeploymentState } from '../../../src/genesys/engine/state.js';
import { KeyRing } from '../../../src/store/index.js';
import { ownerFromText, withMarker } from '../../../src/genesys/engine/ownership.js';
import { ref, type ActualObject, type ResourceKind } from '../../../src/genesys/engine/resource.js';
import { dependencyOrder } from '../../../src/genesys/engine/order.js';
import { KitError } from '../../../src/errors.js';
import { useTmpDir } from '../../helpers/tmp.js';

/** A tiny in-memory org: two kinds, one that records ownership in a description and one that cannot. */
interface Row {
  id: string;
  name: string;
  fields: Record<string, unknown>;
  description?: string;
}
class MemoryOrg {
  rows = new Map<string, Map<string, Row>>([
    ['role', new Map()],
    ['client', new Map()],
  ]);
  writes = 0;
  next = 1;
  /** Simulates a process killed after the remote write but before anything else ran. */
  killAfterCreate?: string;
  failRemove?: string;
  add(kind: string, row: Omit<Row, 'id'>): Row {
    const r = { id: `${kind}-${this.next++}`, ...row };
    this.rows.get(kind)!.set(r.id, r);
    return r;
  }
}

interface Cfg {
  prefix: string;
  roles: { name: string; permissions: string[] }[];
  clients: { name: string; role: string; secret: string }[];
}

const roleKind: ResourceKind<Cfg, MemoryOrg> = {
  kind: 'role',
  dependsOn: [],
  desired: (c) =>
    c.roles.map((r) => ({
      kind: 'role',
      name: `${c.prefix} ${r.name}`,
      spec: { permissions: r.permissions },
    })),
  async read(ctx, prefix) {
    return [...ctx.org.rows.get('role')!.values()]
      .filter((r) => r.name.startsWith(prefix))
      .map((r) => ({
        kind: 'role',
        name: r.name,
        id: r.id,
        spec: { ...r.fields },
        owner: ownerFromText(r.description),
      }));
  },
  async create(ctx, d) {
    ctx.org.writes++;
    const row = ctx.org.add('role', {
      name: d.name,
      fields: { ...d.spec },
      description: withMarker('kit role', ctx.deploymentId),
    });
    if (ctx.org.killAfterCreate === d.name) throw new Error('killed');
    return { id: row.id };
  },
  async update(ctx, d, a) {
    ctx.org.writes++;
    const row = ctx.org.rows.get('role')!.get(a.id)!;
    row.fields = { ...d.spec };
    row.description = withMarker(row.description, ctx.deploymentId);
    return { id: a.id };
  },
  async remove(ctx, a) {
    ctx.org.writes++;
    if (ctx.org.failRemove === a.name) throw new Error('409 still in use');
    ctx.org.rows.get('role')!.delete(a.id);
  },
};

/** Like a Genesys credential: no description to hold a marker, and the secret is write-only. */
const clientKind: ResourceKind<Cfg, MemoryOrg> = {
  kind: 'client',
  dependsOn: ['role'],
  desired: (c) =>
    c.clients.map((cl) => ({
      kind: 'client',
      name: `${c.prefix} ${cl.name}`,
      spec: { roleId: ref('role', `${c.prefix} ${cl.role}`), secret: cl.secret },
      secretPaths: ['secret'],
    })),
  async read(ctx, prefix) {
    return [...ctx.org.rows.get('client')!.values()]
      .filter((r) => r.name.startsWith(prefix))
      .map((r): ActualObject => ({
        kind: 'client',
        name: r.name,
        id: r.id,
        spec: { roleId: r.fields.roleId },
        owner: undefined,
      }));
  },
  async create(ctx, d) {
    ctx.org.writes++;
    const row = ctx.org.add('client', { name: d.name, fields: { ...d.spec } });
    if (ctx.org.killAfterCreate === d.name) throw new Error('killed');
    return { id: row.id, outputs: { clientId: row.id }, secrets: { clientSecret: `generated-${row.id}` } };
  },
  async update(ctx, d, a) {
    ctx.org.writes++;
    ctx.org.rows.get('client')!.get(a.id)!.fields = { ...d.spec };
    return { id: a.id, outputs: { clientId: a.id } };
  },
  async remove(ctx, a) {
    ctx.org.writes++;
    ctx.org.rows.get('client')!.delete(a.id);
  },
};

const CONFIG: Cfg = {
  prefix: 'kit',
  roles: [{ name: 'Backend', permissions: ['a:b:view'] }],
  clients: [{ name: 'Backend', role: 'Backend', secret: 's1' }],
};

describe('provisioning engine', () => {
  const tmp = useTmpDir();
  const setup = (org = new MemoryOrg(), dir = tmp(), extra: Partial<EngineOptions<Cfg, MemoryOrg>> = {}) => {
    const make = (config: Cfg = CONFIG) =>
      new Engine<Cfg, MemoryOrg>({
        kinds: [clientKind, roleKind],
        config,
        org,
        prefix: 'kit',
        deploymentId: 'dep-0001',
        stateFile: join(dir, 'state.json'),
        journalFile: join(dir, 'journal.jsonl'),
        secretsFile: join(dir, 'secrets.json'),
        ...extra,
      });
    return { org, dir, make };
  };

  it('orders kinds by dependency and refuses cycles', () => {
    expect(dependencyOrder([clientKind, roleKind]).map((k) => k.kind)).toEqual(['role', 'client']);
    expect(() => dependencyOrder([{ ...roleKind, dependsOn: ['client'] }, clientKind])).toThrow(
      /cycle: .*role.*client/,
    );
  });

  it('fresh org: creates in dependency order, resolves references, second run makes no write', async () => {
    const { org, dir, make } = setup();
    const plan = await make().plan();
    expect(plan.steps.map((s) => `${s.action} ${s.kind}`)).toEqual(['create role', 'create client']);
    const described = Engine.describe(plan);
    expect(JSON.stringify(described)).not.toContain('s1');
    expect(described.steps[1]).toMatchObject({ spec: { roleId: '(known after apply)', secret: '(secret)' } });

    expect(await make().apply(plan)).toMatchObject({ created: 2, updated: 0, deleted: 0 });
    const role = [...org.rows.get('role')!.values()][0]!;
    const client = [...org.rows.get('client')!.values()][0]!;
    expect(client.fields.roleId).toBe(role.id);

    // The one-time secret went to the 0600 secrets file, and nowhere else.
    const secrets = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as {
      secrets: Record<string, unknown>;
    };
    expect(secrets.secrets['client/kit Backend']).toEqual({ clientSecret: `generated-${client.id}` });
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).not.toContain('generated-');

    const writes = org.writes;
    const again = await make().plan();
    expect(again.counts).toMatchObject({ create: 0, update: 0, delete: 0, noop: 2 });
    await make().apply(again);
    expect(org.writes).toBe(writes);
  });

  it('drift: a field edited by hand is shown by plan and repaired by apply', async () => {
    const { org, make } = setup();
    await make().apply(await make().plan());
    const role = [...org.rows.get('role')!.values()][0]!;
    role.fields.permissions = ['a:b:view', 'x:y:edit'];
    const plan = await make().plan();
    const step = plan.steps.find((s) => s.action === 'update')!;
    expect(step).toMatchObject({ kind: 'role', id: role.id });
    expect(step.changes).toEqual([{ path: 'permissions', from: ['a:b:view', 'x:y:edit'], to: ['a:b:view'] }]);
    await make().apply(plan);
    expect(role.fields.permissions).toEqual(['a:b:view']);
    expect((await make().plan()).counts.update).toBe(0);
  });

  it('a changed secret is detected through its fingerprint and masked in the plan', async () => {
    const { make } = setup();
    await make().apply(await make().plan());
    const changed = { ...CONFIG, clients: [{ ...CONFIG.clients[0]!, secret: 's2' }] };
    const plan = await make(changed).plan();
    const step = plan.steps.find((s) => s.kind === 'client')!;
    expect(step.action).toBe('update');
    expect(step.changes).toEqual([{ path: 'secret', from: '(secret)', to: '(secret)', secret: true }]);
    expect(JSON.stringify(Engine.describe(plan))).not.toContain('s2');
  });

  it('fingerprints secrets in the state file with a key; an unkeyed fingerprint of an older state is recognised, then replaced', async () => {
    const fingerprinterOf = (ring: KeyRing) =>
      keyedFingerprints({
        fingerprint: (text) => ring.fingerprint(text),
        matches: (fingerprint, text) => ring.fingerprintMatches(fingerprint, text),
      });
    const k1 = { id: 'k1', key: randomBytes(32).toString('base64') };
    const k2 = { id: 'k2', key: randomBytes(32).toString('base64') };
    const recorded = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as DeploymentState).objects[
        'client/kit Backend'
      ]!.fingerprints.secret!;
    // A state file of an earlier version: unkeyed SHA-256, which trying candidate secrets reverses.
    const before = setup();
    await before.make().apply(await before.make().plan());
    const unkeyed = recorded(before.dir);
    expect(unkeyed).toMatch(/^[0-9a-f]{64}$/);

    const { org, dir, make } = setup(before.org, before.dir, {
      fingerprinter: fingerprinterOf(KeyRing.fromConfig([k1])),
    });
    const plan = await make().plan();
    expect(plan.counts.update).toBe(0);
    const writes = org.writes;
    await make().apply(plan);
    expect(org.writes).toBe(writes); // only the state file was rewritten
    expect(recorded(dir)).toMatch(/^hmac-sha256:k1:[0-9a-f]{64}$/);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).not.toContain(unkeyed);
    expect((await make().plan()).counts.update).toBe(0);
    const changed = { ...CONFIG, clients: [{ ...CONFIG.clients[0]!, secret: 's2' }] };
    expect((await make(changed).plan()).counts.update).toBe(1);
    // Under a new first key the old fingerprint still matches while its key is listed; without it, the
    // secret cannot be vouched for and is written again.
    const rotated = setup(org, dir, { fingerprinter: fingerprinterOf(KeyRing.fromConfig([k2, k1])) });
    expect((await rotated.make().plan()).counts.update).toBe(0);
    const onlyNew = setup(org, dir, { fingerprinter: fingerprinterOf(KeyRing.fromConfig([k2])) });
    expect((await onlyNew.make().plan()).counts.update).toBe(1);
  });

  it('an object with a kit name that the kit does not own is refused before any write', async () => {
    const { org, make } = setup();
    org.add('role', { name: 'kit Backend', fields: { permissions: [] }, description: 'made by hand' });
    const plan = await make().plan();
    expect(plan.steps[0]).toMatchObject({
      action: 'conflict',
      kind: 'role',
      reason: 'it exists but was not created by daspeak-genesys',
    });
    await expect(make().apply(plan)).rejects.toMatchObject({ code: 'provision.foreign_object' });
    expect(org.writes).toBe(0);
  });

  it("another deployment's object is refused too", async () => {
    const { org, make } = setup();
    org.add('role', { name: 'kit Backend', fields: {}, description: withMarker('x', 'other-dep') });
    const plan = await make().plan();
    expect(plan.steps[0]!.reason).toBe('it belongs to another deployment (other-dep)');
  });

  it('a run killed after a remote create is finished by the next run without duplicates', async () => {
    const { org, make } = setup();
    // The client is created remotely, then the process dies before recording it anywhere but the journal.
    org.killAfterCreate = 'kit Backend';
    await expect(make().apply(await make().plan())).rejects.toMatchObject({ code: 'provision.step_failed' });
    expect(org.rows.get('role')!.size).toBe(1);
    org.killAfterCreate = undefined;
    // Role: adopted through its marker. Nothing recorded the role in state.
    const second = await make().plan();
    expect(second.counts.conflict).toBe(0);
    await make().apply(second);
    expect(org.rows.get('role')!.size).toBe(1);
    expect(org.rows.get('client')!.size).toBe(1);

    // Now the client (no marker) dies right after creation: only the journal knows it is ours.
    const { org: org2, make: make2, dir: dir2 } = setup();
    await make2().apply(await make2().plan());
    org2.rows.get('client')!.clear();
    org2.killAfterCreate = 'kit Backend';
    await expect(make2().apply(await make2().plan())).rejects.toThrow(/killed/);
    org2.killAfterCreate = undefined;
    const plan = await make2().plan();
    expect(plan.steps.find((s) => s.kind === 'client')!.action).not.toBe('create');
    await make2().apply(plan);
    expect(org2.rows.get('client')!.size).toBe(1);
    // Once adopted, the journal no longer vouches for the name: a stranger's copy is refused.
    const { Journal } = await import('../../../src/genesys/engine/journal.js');
    expect(new Journal(join(dir2, 'journal.jsonl'), 'x').unfinishedCreates().size).toBe(0);
  });

  it('an object removed from the config is deleted; foreign objects are left alone', async () => {
    const { org, make } = setup();
    await make().apply(await make().plan());
    const foreign = org.add('role', { name: 'kit Manual', fields: {}, description: 'by hand' });
    const smaller: Cfg = { ...CONFIG, clients: [] };
    const plan = await make(smaller).plan();
    expect(plan.steps.filter((s) => s.action === 'delete').map((s) => s.name)).toEqual(['kit Backend']);
    expect(plan.steps.find((s) => s.action === 'delete')!.kind).toBe('client');
    await make(smaller).apply(plan);
    expect(org.rows.get('client')!.size).toBe(0);
    expect(org.rows.get('role')!.has(foreign.id)).toBe(true);
  });

  it('destroy removes what the deployment owns in reverse order, reports failures and can be re-run', async () => {
    const { org, make } = setup();
    await make().apply(await make().plan());
    const foreign = org.add('role', { name: 'kit Other', fields: {}, description: 'by hand' });
    org.failRemove = 'kit Backend';
    const first = await make().destroy();
    expect(first.deleted.map((d) => d.kind)).toEqual(['client']);
    expect(first.failed).toEqual([
      { kind: 'role', name: 'kit Backend', id: expect.any(String) as string, error: '409 still in use' },
    ]);
    org.failRemove = undefined;
    const second = await make().destroy();
    expect(second).toMatchObject({ deleted: [{ kind: 'role', name: 'kit Backend' }], failed: [] });
    expect([...org.rows.get('role')!.keys()]).toEqual([foreign.id]);
    // After destroy, plan shows everything to create again.
    expect((await make().plan()).counts).toMatchObject({ create: 2, conflict: 0 });
  });

  it('refuses a state file of another deployment and a damaged one', () => {
    const { dir, make } = setup();
    writeFileSync(
      join(dir, 'state.json'),
      JSON.stringify({ version: 1, deploymentId: 'dep-9999', prefix: 'kit', objects: {} }),
    );
    expect(() => make()).toThrow(/belongs to deployment dep-9999/);
    writeFileSync(join(dir, 'state.json'), '{"version": 1, "depl');
    expect(() => make()).toThrow(/not valid JSON/);
  });

  it('keeps values a kind remembers before a write, lists recorded objects, and drops both with the record', async () => {
    const org = new MemoryOrg();
    const dir = tmp();
    const seen: { recalled?: Record<string, string>; recorded: string[] }[] = [];
    // A kind that changes something it does not create: it keeps the old value before writing.
    const flagKind: ResourceKind<Cfg, MemoryOrg> = {
      kind: 'flag',
      dependsOn: [],
      desired: (c) => c.roles.map((r) => ({ kind: 'flag', name: r.name, spec: { on: true } })),
      async read(ctx) {
        return ctx
          .recorded('flag')
          .map((r) => ({ kind: 'flag', name: r.name, id: r.id, spec: { on: true }, owner: undefined }));
      },
      async create(ctx, d) {
        seen.push({
          recalled: ctx.recall('flag', d.name),
          recorded: ctx.recorded('flag').map((r) => r.name),
        });
        ctx.remember('flag', d.name, { previous: 'false' });
        if (org.killAfterCreate === d.name) throw new Error('killed');
        return { id: `flag-${d.name}`, outputs: { previous: ctx.recall('flag', d.name)!.previous! } };
      },
      async update(_ctx, _d, a) {
        return { id: a.id };
      },
      async remove() {},
    };
    const make = (config: Cfg = CONFIG) =>
      new Engine<Cfg, MemoryOrg>({
        kinds: [flagKind],
        config,
        org,
        prefix: 'kit',
        deploymentId: 'dep-0001',
        stateFile: join(dir, 'state.json'),
        journalFile: join(dir, 'journal.jsonl'),
      });
    org.killAfterCreate = 'Backend';
    await expect(make().apply(await make().plan())).rejects.toThrow(/killed/);
    // The note reached the state file before the (failed) write was recorded.
    const state = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;
    expect(state().notes).toEqual({ 'flag/Backend': { previous: 'false' } });
    org.killAfterCreate = undefined;
    await make().apply(await make().plan());
    expect(seen[1]).toEqual({ recalled: { previous: 'false' }, recorded: [] });
    expect(state().objects).toMatchObject({ 'flag/Backend': { outputs: { previous: 'false' } } });
    expect((await make().plan()).counts).toMatchObject({ noop: 1, create: 0 });
    await make({ ...CONFIG, roles: [] }).apply(await make({ ...CONFIG, roles: [] }).plan());
    expect(state().objects).toEqual({});
    expect(state().notes).toBeUndefined();
  });

  it("a kind's own hint reaches the person, with how to continue", async () => {
    const dir = tmp();
    const failing: ResourceKind<Cfg, MemoryOrg> = {
      ...roleKind,
      async create() {
        throw new KitError('x.needs_admin', 'the org refused', { hint: 'ask the admin for the role' });
      },
    };
    const engine = new Engine<Cfg, MemoryOrg>({
      kinds: [failing],
      config: CONFIG,
      org: new MemoryOrg(),
      prefix: 'kit',
      deploymentId: 'dep-0001',
      stateFile: join(dir, 'state.json'),
      journalFile: join(dir, 'journal.jsonl'),
    });
    await expect(engine.apply(await engine.plan())).rejects.toMatchObject({
      code: 'provision.step_failed',
      hint: 'ask the admin for the role; then run provision again',
    });
  });
});
