import { Ajv, type ErrorObject } from 'ajv';
import { ActionDefinitionSchema, REQUEST_TYPES } from './definition.js';
import { compileContractSchemaCached } from './json-schema.js';

/** One reason Genesys would refuse to save an action definition. */
export interface ActionDefinitionIssue {
  code:
    | 'action.shape'
    | 'action.too_deep'
    | 'action.timeout_range'
    | 'action.request_type'
    | 'action.input_schema'
    | 'action.reserved_name'
    | 'action.property_name'
    | 'action.ref_not_supported'
    | 'action.nested_array'
    | 'action.output_schema'
    | 'action.invalid_schema';
  /** Dotted path inside the definition, e.g. `contract.input.inputSchema.properties.ani`. */
  path: string;
  message: string;
}

/** HELP "Add contracts to custom actions": limits of the contract and request configuration. */
export const MAX_JSON_DEPTH = 50;
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 60;
export const INPUT_PROPERTY_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
export const RESERVED_INPUT_NAMES = ['orgId', 'integrationId', 'rawRequest'] as const;
const SIMPLE_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'null']);

const INPUT_SCHEMA = 'contract.input.inputSchema';
const OUTPUT_SCHEMA = 'contract.output.successSchema';
/** The start of the text Genesys answers for a non-flat input schema (quoted on community.genesys.com). */
const SIMPLE_SCHEMA_MESSAGE = `Failed Validation of ${INPUT_SCHEMA} as a simple properties schema. Must be an Object with properties and no sub-objects`;

const shapeValidator = new Ajv({ allErrors: true, strict: true }).compile(ActionDefinitionSchema);

/**
 * Checks an action definition the way Genesys does when it is saved (§5.3 of the Genesys reference):
 * shape, timeout range, request type, a flat input schema of simple types with valid, unreserved
 * names, no `$ref`, no nested arrays in the output, JSON depth. An empty list means acceptable.
 * Templates are not parsed here: Genesys reports a broken template when the action runs.
 */
export function validateActionDefinition(def: unknown): ActionDefinitionIssue[] {
  if (jsonDepth(def, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH) {
    return [
      {
        code: 'action.too_deep',
        path: '',
        message: `Failed Validation of the action: JSON objects may be nested at most ${MAX_JSON_DEPTH} levels deep`,
      },
    ];
  }
  const issues: ActionDefinitionIssue[] = [];
  if (!shapeValidator(def)) issues.push(...shapeIssues(shapeValidator.errors));
  if (!isObject(def)) return issues;

  const config = isObject(def.config) ? def.config : {};
  const request = isObject(config.request) ? config.request : {};
  issues.push(...timeoutIssues(config.timeoutSeconds));
  if (typeof request.requestType === 'string' && !(REQUEST_TYPES as readonly string[]).includes(request.requestType)) {
    issues.push({
      code: 'action.request_type',
      path: 'config.request.requestType',
      message: `Failed Validation of config.request.requestType: '${request.requestType}' is not one of ${REQUEST_TYPES.join(', ')}`,
    });
  }

  const contract = isObject(def.contract) ? def.contract : {};
  const inputSchema = isObject(contract.input) ? contract.input.inputSchema : undefined;
  const successSchema = isObject(contract.output) ? contract.output.successSchema : undefined;
  const refIssues = [...refsIn(inputSchema, INPUT_SCHEMA), ...refsIn(successSchema, OUTPUT_SCHEMA)];
  issues.push(...refIssues);
  if (inputSchema !== undefined) issues.push(...inputSchemaIssues(inputSchema));
  if (successSchema !== undefined) issues.push(...outputSchemaIssues(successSchema));

  // Only a schema that passed the rules above is worth compiling: ajv would just repeat them.
  if (issues.length === 0) {
    for (const [path, schema] of [
      [INPUT_SCHEMA, inputSchema],
      [OUTPUT_SCHEMA, successSchema],
    ] as const) {
      const compiled = compileContractSchemaCached(schema);
      if (!compiled.ok) {
        issues.push({
          code: 'action.invalid_schema',
          path,
          message: `Failed Validation of ${path} as a draft-04 JSON schema: ${compiled.problem}`,
        });
      }
    }
  }
  return issues;
}

function shapeIssues(errors: readonly ErrorObject[] | null | undefined): ActionDefinitionIssue[] {
  return (errors ?? []).map((e) => {
    let path = e.instancePath.split('/').slice(1).join('.');
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      path = path === '' ? missing : `${path}.${missing}`;
      return { code: 'action.shape', path, message: `Failed Validation of ${path}: it is required` };
    }
    return {
      code: 'action.shape',
      path,
      message: `Failed Validation of ${path || 'the action'}: ${e.message ?? 'is invalid'}`,
    };
  });
}

function timeoutIssues(timeout: unknown): ActionDefinitionIssue[] {
  if (timeout === undefined || typeof timeout !== 'number') return [];
  if (Number.isInteger(timeout) && timeout >= MIN_TIMEOUT_SECONDS && timeout <= MAX_TIMEOUT_SECONDS) return [];
  return [
    {
      code: 'action.timeout_range',
      path: 'config.timeoutSeconds',
      message: `Failed Validation of config.timeoutSeconds: must be a whole number of seconds from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS} (found ${timeout})`,
    },
  ];
}

function inputSchemaIssues(schema: unknown): ActionDefinitionIssue[] {
  if (!isObject(schema) || schema.type !== 'object') {
    return [
      {
        code: 'action.input_schema',
        path: INPUT_SCHEMA,
        message: `${SIMPLE_SCHEMA_MESSAGE}: the schema must have "type": "object"`,
      },
    ];
  }
  if (schema.properties === undefined) return [];
  if (!isObject(schema.properties)) {
    return [
      {
        code: 'action.input_schema',
        path: `${INPUT_SCHEMA}.properties`,
        message: `${SIMPLE_SCHEMA_MESSAGE}: "properties" must be an object`,
      },
    ];
  }
  const issues: ActionDefinitionIssue[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const path = `${INPUT_SCHEMA}.properties.${name}`;
    if ((RESERVED_INPUT_NAMES as readonly string[]).includes(name)) {
      issues.push({
        code: 'action.reserved_name',
        path,
        message: `Failed Validation of ${INPUT_SCHEMA}: '${name}' is a reserved name (${RESERVED_INPUT_NAMES.join(', ')} are supplied by Genesys)`,
      });
    } else if (!INPUT_PROPERTY_NAME.test(name)) {
      issues.push({
        code: 'action.property_name',
        path,
        message: `Failed Validation of ${INPUT_SCHEMA}: property name '${name}' must match ${INPUT_PROPERTY_NAME.source}`,
      });
    }
    const type = isObject(property) ? property.type : undefined;
    if (!isSimpleType(type)) {
      issues.push({
        code: 'action.input_schema',
        path,
        message: `${SIMPLE_SCHEMA_MESSAGE}: '${name}' has type ${JSON.stringify(type ?? null)}; inputs must be string, integer, number, boolean or null`,
      });
    }
  }
  return issues;
}

function isSimpleType(type: unknown): boolean {
  if (typeof type === 'string') return SIMPLE_TYPES.has(type);
  return Array.isArray(type) && type.length > 0 && type.every((t) => typeof t === 'string' && SIMPLE_TYPES.has(t));
}

function outputSchemaIssues(schema: unknown): ActionDefinitionIssue[] {
  if (!isObject(schema)) {
    return [
      {
        code: 'action.output_schema',
        path: OUTPUT_SCHEMA,
        message: `Failed Validation of ${OUTPUT_SCHEMA}: must be a JSON schema object`,
      },
    ];
  }
  const issues: ActionDefinitionIssue[] = [];
  // Architect turns arrays of objects into parallel collections; a collection of collections has no
  // variable type, hence the rule.
  const walk = (node: unknown, path: string, insideArray: boolean): void => {
    if (!isObject(node)) return;
    const isArray = node.type === 'array' || (Array.isArray(node.type) && node.type.includes('array'));
    if (isArray && insideArray) {
      issues.push({
        code: 'action.nested_array',
        path,
        message: `Failed Validation of ${OUTPUT_SCHEMA}: ${path} is an array inside an array; nested arrays are not supported`,
      });
      return;
    }
    if (isObject(node.properties)) {
      for (const [name, child] of Object.entries(node.properties)) {
        walk(child, `${path}.properties.${name}`, insideArray);
      }
    }
    if (Array.isArray(node.items)) {
      node.items.forEach((child, i) => walk(child, `${path}.items[${i}]`, insideArray || isArray));
    } else if (node.items !== undefined) {
      walk(node.items, `${path}.items`, insideArray || isArray);
    }
  };
  walk(schema, OUTPUT_SCHEMA, false);
  return issues;
}

function refsIn(value: unknown, path: string): ActionDefinitionIssue[] {
  const issues: ActionDefinitionIssue[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, `${at}[${i}]`));
    } else if (isObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (key === '$ref') {
          issues.push({
            code: 'action.ref_not_supported',
            path: `${at}.$ref`,
            message: `Failed Validation of ${path}: $ref is not supported in data action contracts (found at ${at})`,
          });
        } else {
          walk(child, `${at}.${key}`);
        }
      }
    }
  };
  walk(value, path);
  return issues;
}

/** Nesting depth of objects and arrays, counting stops at `limit` so a cycle cannot loop forever. */
export function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest >= limit) break;
  }
  return 1 + deepest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
