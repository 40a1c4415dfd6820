import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The element's bundle, under the seed's name. */
export const BUNDLE_FILE = 'daspeak-streaming-web-agent-genesys.bundle.js';

/** `widget/` of the package: two levels above this file in src/ and in dist/ alike. */
export const DEFAULT_WIDGET_DIR = fileURLToPath(new URL('../../../widget/', import.meta.url));

export interface WidgetFiles {
  /** widget/dist: the built element, its index page and assets. */
  distDir: string;
  /** utils.js: the built copy in dist when there is one, else the source next to it. */
  utilsFile(): string | undefined;
}

export function widgetFiles(widgetDir: string = DEFAULT_WIDGET_DIR): WidgetFiles {
  const distDir = join(widgetDir, 'dist');
  return {
    distDir,
    utilsFile() {
      for (const candidate of [join(distDir, 'utils.js'), join(widgetDir, 'utils.js')]) {
        if (existsSync(candidate)) return candidate;
      }
      return undefined;
    },
  };
}
