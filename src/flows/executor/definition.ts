import { Type, type Static } from '@sinclair/typebox';

/**
 * The body the kit POSTs to `/api/v2/integrations/actions` (PostActionInput). Extra properties are
 * allowed because an action read back from Genesys also carries `id`, `version`, `selfUri`...
 * The contract schemas are checked by the §5.3 rules in contract-rules.ts, not by this shape.
 */
export const REQUEST_TYPES = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

const JsonSchemaObject = Type.Record(Type.String(), Type.Unknown());
const StringMap = Type.Record(Type.String(), Type.String());

export const ActionDefinitionSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  category: Type.String(),
  integrationId: Type.String(),
  secure: Type.Optional(Type.Boolean()),
  config: Type.Object({
    timeoutSeconds: Type.Optional(Type.Number()),
    request: Type.Object({
      requestUrlTemplate: Type.String({ minLength: 1 }),
      requestType: Type.String(),
      headers: Type.Optional(StringMap),
      requestTemplate: Type.Optional(Type.String()),
    }),
    response: Type.Optional(
      Type.Object({
        translationMap: Type.Optional(StringMap),
        translationMapDefaults: Type.Optional(StringMap),
        successTemplate: Type.Optional(Type.String()),
      }),
    ),
  }),
  contract: Type.Object({
    input: Type.Object({ inputSchema: JsonSchemaObject }),
    output: Type.Object({ successSchema: JsonSchemaObject }),
  }),
});

export type ActionDefinition = Static<typeof ActionDefinitionSchema>;

/** Genesys' defaults for what an action may leave out. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_REQUEST_TEMPLATE = '${input.rawRequest}';
export const DEFAULT_SUCCESS_TEMPLATE = '${rawResult}';
