/**
 * Integration credential types: the fields each requires and allows. `audioHook` and `basicAuth`
 * are closed; `userDefined` and `userDefinedOAuth` take any fields (names are the template names).
 */
export interface CredentialTypeSpec {
  name: string;
  required: string[];
  /** Undefined = any field names. */
  allowed?: string[];
  /** Fields whose value must be base64. */
  base64?: string[];
}

export const CREDENTIAL_TYPES: readonly CredentialTypeSpec[] = [
  { name: 'audioHook', required: ['apiKey'], allowed: ['apiKey', 'clientSecret'], base64: ['clientSecret'] },
  { name: 'basicAuth', required: ['userName', 'password'], allowed: ['userName', 'password'] },
  { name: 'userDefined', required: [] },
  { name: 'userDefinedOAuth', required: [] },
  {
    name: 'pureCloudOAuthClient',
    required: ['clientId', 'clientSecret'],
    allowed: ['clientId', 'clientSecret'],
  },
];

export function credentialTypeView(t: CredentialTypeSpec) {
  const fields = t.allowed ?? t.required;
  return {
    id: t.name,
    name: t.name,
    properties: Object.fromEntries(fields.map((f) => [f, { type: 'string', title: f }])),
    displayOrder: fields,
    required: t.required,
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Problems with a credential's fields for its type; empty when fine. */
export function credentialFieldProblems(t: CredentialTypeSpec, fields: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const f of t.required) {
    if (fields[f] === undefined || fields[f] === '')
      problems.push(`credentialFields.${f} is required for type ${t.name}`);
  }
  if (t.allowed) {
    for (const f of Object.keys(fields)) {
      if (!t.allowed.includes(f)) problems.push(`credentialFields.${f} is not a field of type ${t.name}`);
    }
  }
  for (const f of t.base64 ?? []) {
    const v = fields[f];
    if (v !== undefined && v !== '' && !BASE64.test(v)) problems.push(`credentialFields.${f} must be base64`);
  }
  if (!t.allowed && Object.keys(fields).length === 0) {
    problems.push(`a ${t.name} credential needs at least one field`);
  }
  return problems;
}
