import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from '../../src/config/docs.js';
import { secretPaths } from '../../src/config/schema.js';

describe('docs/configuration.md', () => {
  it('is generated from the schema and up to date (run `npm run docs` after changing the schema)', () => {
    const onDisk = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderConfigReference());
  });

  it('marks every secret', () => {
    const doc = renderConfigReference();
    for (const p of secretPaths()) {
      const key = p.endsWith('[]') ? p.slice(0, -2) : p;
      expect(doc).toContain(`| \`${key}\` 🔒 |`);
    }
  });
});
