import type { GenesysOrg } from '../shared/org.js';

/** The Platform API calls of the credential kind (integration credentials), and nothing else. */

export interface CredentialRecord {
  id: string;
  name: string;
  type: string;
}

export interface CredentialBody {
  name: string;
  type: string;
  fields: Record<string, string>;
}

export async function listCredentials(org: GenesysOrg): Promise<CredentialRecord[]> {
  const { platform } = org;
  const out: CredentialRecord[] = [];
  for await (const c of platform.paginate(
    (pageNumber) => platform.api.integrations.getIntegrationsCredentials({ pageSize: 100, pageNumber }),
    { description: 'integration credentials' },
  )) {
    if (c.id && c.name) out.push({ id: c.id, name: c.name, type: c.type?.name ?? '' });
  }
  return out;
}

// The credential type goes as `{name}` (the model's form; the premium-app wizard's bare string is older).
const body = (b: CredentialBody) => ({ name: b.name, type: { name: b.type }, credentialFields: b.fields });

export async function createCredential(org: GenesysOrg, b: CredentialBody): Promise<string> {
  const c = await org.platform.call(
    () => org.platform.api.integrations.postIntegrationsCredentials({ body: body(b) }),
    {
      description: `create credential ${b.name}`,
    },
  );
  return c.id!;
}

export async function updateCredential(org: GenesysOrg, id: string, b: CredentialBody): Promise<void> {
  await org.platform.call(
    () => org.platform.api.integrations.putIntegrationsCredential(id, { body: body(b) }),
    {
      description: `update credential ${b.name}`,
    },
  );
}

export async function deleteCredential(org: GenesysOrg, id: string): Promise<void> {
  await org.platform.call(() => org.platform.api.integrations.deleteIntegrationsCredential(id), {
    description: 'delete a credential',
  });
}
