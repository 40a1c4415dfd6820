import { stringify } from 'yaml';
import { exampleValues } from '../config/example.js';
import { parseConfigText } from '../config/loader.js';
import type { KitConfig } from '../config/schema.js';

/**
 * The config the committed flows/ are rendered from: the local stack's (`npm start`), whose
 * sandbox org has the Support queue. Only names, prompts and bounds reach a flow, never a URL.
 */
export function exampleFlowsConfig(): KitConfig {
  return parseConfigText(stringify(exampleValues({ sandbox: true, queues: ['Support'] })), 'example config', {
    env: {},
  }).config;
}
