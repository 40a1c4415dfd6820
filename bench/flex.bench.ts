/**
 * The Flex plugin's quality bar (issue 12): the plugin bundle, without what Flex provides at run time
 * (Flex UI, React, ReactDOM, Redux: externals, as Twilio's plugin builder leaves them out), at most
 * 60 KB gzip. Baseline in the same run: the Genesys widget bundle built by the same build, so the
 * ratio says what the Flex plugin adds or saves against the widget Genesys loads. The metafile shows
 * that no byte of React or Flex UI is inside.
 * Writes bench/results/flex.json. Run: npm run bench -- flex
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BUNDLE_FILE, FLEX_DIR, buildFlexPlugin, buildWidget, flexBundleFile } from '../widget/build.js';

const TARGETS = { bundleGzipBytes: 60 * 1024 };
const outDir = fileURLToPath(new URL('results/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'daspeak-flex-bench-'));
try {
  await buildWidget({ outdir: dir });
  const started = performance.now();
  const result = await buildFlexPlugin({ outdir: join(dir, FLEX_DIR), metafile: true });
  const buildMs = performance.now() - started;
  const plugin = readFileSync(join(dir, FLEX_DIR, flexBundleFile()));
  const genesys = readFileSync(join(dir, BUNDLE_FILE));
  const gzip = (b: Buffer) => gzipSync(b, { level: 9 }).length;
  const pluginGzip = gzip(plugin);
  const genesysGzip = gzip(genesys);
  // Externals never reach the bundle: the plugin reads them from the page (window.React…).
  const inlined = Object.keys(result.metafile!.inputs).filter((input) =>
    /node_modules\/(react|react-dom|redux|react-redux|@twilio\/flex-ui)\//.test(input),
  );
  const figures = {
    plugin: {
      file: flexBundleFile(),
      bytes: plugin.length,
      gzipBytes: pluginGzip,
      inlinedFlexOrReact: inlined,
    },
    baseline: { file: BUNDLE_FILE, bytes: genesys.length, gzipBytes: genesysGzip },
    ratioToGenesysWidget: pluginGzip / genesysGzip,
    buildMs,
    target: TARGETS,
    met: { bundleGzipBytes: pluginGzip <= TARGETS.bundleGzipBytes && inlined.length === 0 },
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'flex.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(
    `flex plugin ${flexBundleFile()}: ${(pluginGzip / 1024).toFixed(1)} KB gzip (${(plugin.length / 1024).toFixed(1)} KB minified), without Flex UI/React; target ≤ 60 KB`,
  );
  console.log(
    `baseline: Genesys widget ${(genesysGzip / 1024).toFixed(1)} KB gzip → ratio ${figures.ratioToGenesysWidget.toFixed(2)}; build ${buildMs.toFixed(0)} ms`,
  );
  if (inlined.length > 0) console.log(`React or Flex UI found inside the plugin: ${inlined.join(', ')}`);
  if (!Object.values(figures.met).every(Boolean)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
