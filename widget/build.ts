/**
 * Builds the widget into widget/dist: the element bundle (ES module, minified, with a source map)
 * under the seed's name, the sign-in popup's script, and the two pages. `npm run build` runs it,
 * so `npm start` serves a built widget. utils.js is not copied: the backend serves widget/utils.js
 * (or the integrator's copy in dist).
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildResult } from 'esbuild';

export const WIDGET_DIR = fileURLToPath(new URL('.', import.meta.url));
export const DIST_DIR = join(WIDGET_DIR, 'dist');
export const BUNDLE_FILE = 'daspeak-streaming-web-agent-genesys.bundle.js';
const PAGES = ['index.html', 'auth-popup.html'];

export async function buildWidget(
  options: { outdir?: string; metafile?: boolean } = {},
): Promise<BuildResult> {
  const outdir = options.outdir ?? DIST_DIR;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: {
      [BUNDLE_FILE.replace(/\.js$/, '')]: join(WIDGET_DIR, 'src/genesys/index.ts'),
      'auth-popup': join(WIDGET_DIR, 'src/genesys/auth-popup.ts'),
    },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'edge109', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    metafile: options.metafile ?? false,
    logLevel: 'warning',
  });
  for (const page of PAGES) copyFileSync(join(WIDGET_DIR, page), join(outdir, page));
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWidget();
}
