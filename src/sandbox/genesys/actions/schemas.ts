import { Type } from '@sinclair/typebox';
import { StringEnum } from '../body.js';

const ReadOnly = Type.Optional(Type.Unknown());
const JsonSchemaDoc = Type.Record(Type.String(), Type.Unknown());

export const REQUEST_TYPES = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'] as const;

/** `ActionConfig`: request and response templates, timeout 1..60 s. */
export const ActionConfigSchema = Type.Object(
  {
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    request: Type.Optional(
      Type.Object(
        {
          requestUrlTemplate: Type.Optional(Type.String({ minLength: 1 })),
          requestType: Type.Optional(StringEnum(REQUEST_TYPES)),
          headers: Type.Optional(Type.Record(Type.String(), Type.String())),
          requestTemplate: Type.Optional(Type.String()),
          requestTemplateUri: ReadOnly,
        },
        { additionalProperties: false },
      ),
    ),
    response: Type.Optional(
      Type.Object(
        {
          translationMap: Type.Optional(Type.Record(Type.String(), Type.String())),
          translationMapDefaults: Type.Optional(Type.Record(Type.String(), Type.String())),
          successTemplate: Type.Optional(Type.String()),
          successTemplateUri: ReadOnly,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** `ActionContractInput`; the schema URIs and flattened forms a GET returns are accepted back. */
export const ContractSchema = Type.Object(
  {
    input: Type.Object(
      { inputSchema: JsonSchemaDoc, inputSchemaFlattened: ReadOnly, inputSchemaUri: ReadOnly },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        successSchema: JsonSchemaDoc,
        successSchemaUri: ReadOnly,
        successSchemaFlattened: ReadOnly,
        errorSchema: ReadOnly,
        errorSchemaUri: ReadOnly,
        errorSchemaFlattened: ReadOnly,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const Name = Type.String({ minLength: 1, maxLength: 256 });

/** `PostActionInput` for `POST /actions` (create and publish). */
export const PostActionSchema = Type.Object(
  {
    name: Name,
    category: Type.String({ minLength: 1 }),
    integrationId: Type.String({ minLength: 1 }),
    config: ActionConfigSchema,
    contract: ContractSchema,
    secure: Type.Optional(Type.Boolean()),
    id: ReadOnly,
    version: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);

/** `POST /actions/drafts`: a draft may start with only a name and an integration. */
export const PostDraftSchema = Type.Object(
  {
    name: Name,
    integrationId: Type.String({ minLength: 1 }),
    category: Type.Optional(Type.String({ minLength: 1 })),
    config: Type.Optional(ActionConfigSchema),
    contract: Type.Optional(ContractSchema),
    secure: Type.Optional(Type.Boolean()),
    id: ReadOnly,
    version: ReadOnly,
    selfUri: ReadOnly,
  },
  { additionalProperties: false },
);

/** `UpdateDraftInput`: `version` must be the draft's current version. */
export const UpdateDraftSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    name: Type.Optional(Name),
    category: Type.Optional(Type.String({ minLength: 1 })),
    config: Type.Optional(ActionConfigSchema),
    contract: Type.Optional(ContractSchema),
    secure: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `UpdateActionInput`: a published action's contract is not editable. */
export const UpdateActionSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    name: Type.Optional(Name),
    category: Type.Optional(Type.String({ minLength: 1 })),
    config: Type.Optional(ActionConfigSchema),
  },
  { additionalProperties: false },
);

export const PublishDraftSchema = Type.Object(
  { version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

/** An execute/test body: the input map. */
export const ActionInputSchema = Type.Record(Type.String(), Type.Unknown());
