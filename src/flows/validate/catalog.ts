/**
 * What a flow may call: data actions (by category and name, with their contract's inputs and
 * flattened outputs) and common modules (by name, with their `Common.` inputs and outputs). The
 * kit's own set comes from its templates; `--org` reads the org's published actions and flows.
 */
import { flattenOutputSchema } from '../executor/index.js';
import { typeOfSchema, type ExprType } from '../expressions/index.js';

export interface DataActionInfo {
  category: string;
  name: string;
  secure: boolean;
  inputs: Record<string, ExprType>;
  required: string[];
  outputs: Record<string, ExprType>;
}

export interface ModuleInfo {
  name: string;
  inputs: Record<string, ExprType>;
  outputs: Record<string, ExprType>;
  /** Where it came from, for messages ("flows/x.yaml", "the org"). */
  from: string;
  /** The org's modules: the Platform API does not say their variables, so their I/O is not checked. */
  ioUnknown?: boolean;
}

export interface Catalog {
  dataActions: DataActionInfo[];
  modules: ModuleInfo[];
  /** Queue names that exist (only known with --org; undefined = not checked). */
  queues?: string[];
  /** Where the data actions come from, for messages. */
  dataActionsFrom: string;
}

/** The parts of a data action definition the catalog needs (kit template or org action). */
export interface ActionLike {
  name: string;
  category: string;
  secure?: boolean;
  contract: {
    input: { inputSchema: Record<string, unknown> };
    output: { successSchema: Record<string, unknown> };
  };
}

export function dataActionInfo(a: ActionLike): DataActionInfo {
  const input = a.contract.input.inputSchema;
  const props = (input.properties ?? {}) as Record<string, { type?: unknown }>;
  const inputs: Record<string, ExprType> = {};
  for (const [k, v] of Object.entries(props)) inputs[k] = typeOfSchema(v?.type);
  const outputs: Record<string, ExprType> = {};
  for (const o of flattenOutputSchema(a.contract.output.successSchema)) {
    outputs[o.name] = o.collection
      ? o.type === 'string'
        ? 'stringCollection'
        : o.type === 'integer'
          ? 'integerCollection'
          : 'unknown'
      : typeOfSchema(o.type === 'number' ? 'number' : o.type);
  }
  return {
    category: a.category,
    name: a.name,
    secure: a.secure === true,
    inputs,
    required: Array.isArray(input.required) ? (input.required as string[]) : [],
    outputs,
  };
}

export function findDataAction(c: Catalog, category: string, name: string): DataActionInfo | undefined {
  // Architect's lookups of categories and names are not case sensitive (Scripting SDK docs).
  const lc = category.toLowerCase();
  const ln = name.toLowerCase();
  return c.dataActions.find((a) => a.category.toLowerCase() === lc && a.name.toLowerCase() === ln);
}

export function findModule(c: Catalog, name: string): ModuleInfo | undefined {
  const ln = name.toLowerCase();
  return c.modules.find((m) => m.name.toLowerCase() === ln);
}
