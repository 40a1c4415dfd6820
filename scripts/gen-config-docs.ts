import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/docs.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigReference());
console.log('wrote docs/configuration.md');
