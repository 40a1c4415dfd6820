/**
 * Builds the widget into widget/dist: the element bundle (ES module, minified, with a source map)
 * under the seed's name, the sign-in popup's script, and the two pages; and the Twilio Flex plugin
 * (widget/flex) into widget/dist/flex. `npm run build` runs it, so `npm start` serves a built widget.
 * utils.js is not copied: the backend serves widget/utils.js (or the integrator's copy in dist).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type BuildResult, type Plugin } from 'esbuild';

export const WIDGET_DIR = fileURLToPath(new URL('.', import.meta.url));
export const DIST_DIR = join(WIDGET_DIR, 'dist');
export const BUNDLE_FILE = 'daspeak-streaming-web-agent-genesys.bundle.js';
const PAGES = ['index.html', 'auth-popup.html'];

/** What both bundles share: the browsers the agent desktops run, minified, with a source map. */
const BROWSER_BUNDLE: BuildOptions = {
  bundle: true,
  platform: 'browser',
  target: ['chrome109', 'edge109', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
};

/** An empty output folder (what a build left there before is removed). */
function freshDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

export async function buildWidget(
  options: { outdir?: string; metafile?: boolean } = {},
): Promise<BuildResult> {
  const outdir = options.outdir ?? DIST_DIR;
  freshDir(outdir);
  const result = await build({
    ...BROWSER_BUNDLE,
    entryPoints: {
      [BUNDLE_FILE.replace(/\.js$/, '')]: join(WIDGET_DIR, 'src/genesys/index.ts'),
      'auth-popup': join(WIDGET_DIR, 'src/genesys/auth-popup.ts'),
    },
    outdir,
    format: 'esm',
    metafile: options.metafile ?? false,
  });
  for (const page of PAGES) copyFileSync(join(WIDGET_DIR, page), join(outdir, page));
  await buildFlexPlugin({ outdir: join(outdir, FLEX_DIR) });
  return result;
}

// ---- The Twilio Flex plugin ------------------------------------------------------------------------

export const FLEX_PLUGIN_DIR = join(WIDGET_DIR, 'flex');
/** widget/dist/flex: the plugin bundle, as Twilio's tooling names it (build/<plugin name>.js). */
export const FLEX_DIR = 'flex';

interface FlexPluginPackage {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

export function flexPluginPackage(): FlexPluginPackage {
  return JSON.parse(readFileSync(join(FLEX_PLUGIN_DIR, 'package.json'), 'utf8')) as FlexPluginPackage;
}

export function flexBundleFile(): string {
  return `${flexPluginPackage().name}.js`;
}

/**
 * What Flex provides at run time, exactly as Twilio's plugin builder (@twilio/flex-plugin-webpack
 * 7.1.2, webpack.config.js) leaves it out of a plugin bundle: `react`, `react-dom`, `redux` and
 * `react-redux` are the page's globals, and `@twilio/flex-ui` is its "flex shim", the plugin's
 * proxy of Flex when Flex gives one (`Twilio.FlexProxy[<plugin name>]`), else `Twilio.Flex`.
 */
const FLEX_GLOBALS: Record<string, string> = {
  react: 'window.React',
  'react-dom': 'window.ReactDOM',
  redux: 'window.Redux',
  'react-redux': 'window.ReactRedux',
};

function flexExternals(pluginName: string): Plugin {
  return {
    name: 'flex-externals',
    setup(b) {
      b.onResolve({ filter: /^(react|react-dom|redux|react-redux|@twilio\/flex-ui)$/ }, (args) => ({
        path: args.path,
        namespace: 'flex-runtime',
      }));
      b.onLoad({ filter: /.*/, namespace: 'flex-runtime' }, (args) => {
        if (args.path === '@twilio/flex-ui') {
          return {
            contents: `var flex = window.Twilio && window.Twilio.Flex;
if (window.Twilio && window.Twilio.FlexProxy && window.Twilio.FlexProxy[${JSON.stringify(pluginName)}]) {
  flex = window.Twilio.FlexProxy[${JSON.stringify(pluginName)}];
}
module.exports = flex;`,
            loader: 'js',
          };
        }
        return { contents: `module.exports = ${FLEX_GLOBALS[args.path]!};`, loader: 'js' };
      });
    },
  };
}

/** FLEX_APP_* variables (the environment, else widget/flex/.env), as Twilio's tooling inlines them. */
function flexAppVariables(): Record<string, string> {
  const values: Record<string, string> = {};
  const dotenv = join(FLEX_PLUGIN_DIR, '.env');
  if (existsSync(dotenv)) {
    for (const line of readFileSync(dotenv, 'utf8').split(/\r?\n/)) {
      const m = /^\s*(FLEX_APP_[A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
      if (m) values[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  for (const [k, v] of Object.entries(process.env))
    if (k.startsWith('FLEX_APP_') && v !== undefined) values[k] = v;
  const defined: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) defined[`process.env.${k}`] = JSON.stringify(v);
  // Unset variables read as undefined, as in a Twilio-built plugin.
  defined['process.env.FLEX_APP_DASPEAK_BACKEND_URL'] ??= 'undefined';
  return defined;
}

/**
 * Builds widget/flex with esbuild into `<outdir>/<plugin name>.js`: a classic script, as Flex loads
 * plugins, with the same externals and build constants as Twilio's plugin builder (which also
 * builds it: `npm run build` in widget/flex; see docs/twilio.md).
 */
export async function buildFlexPlugin(
  options: { outdir?: string; metafile?: boolean } = {},
): Promise<BuildResult> {
  const outdir = options.outdir ?? join(DIST_DIR, FLEX_DIR);
  freshDir(outdir);
  const pkg = flexPluginPackage();
  const version = (name: string) => JSON.stringify(pkg.dependencies[name] ?? pkg.devDependencies[name] ?? '');
  return build({
    ...BROWSER_BUNDLE,
    entryPoints: { [pkg.name]: join(FLEX_PLUGIN_DIR, 'src/index.ts') },
    outdir,
    format: 'iife',
    metafile: options.metafile ?? false,
    plugins: [flexExternals(pkg.name)],
    define: {
      __FPB_PLUGIN_UNIQUE_NAME: JSON.stringify(pkg.name),
      __FPB_PLUGIN_VERSION: JSON.stringify(pkg.version),
      __FPB_FLEX_PLUGIN_SCRIPTS_VERSION: version('@twilio/flex-plugin-scripts'),
      __FPB_FLEX_PLUGIN_VERSION: version('@twilio/flex-plugin'),
      __FPB_FLEX_UI_VERSION: version('@twilio/flex-ui'),
      __FPB_REACT_VERSION: version('react'),
      __FPB_REACT_DOM_VERSION: version('react-dom'),
      __FPB_CRACO_CONFIG_FLEX_PLUGIN_VERSION: JSON.stringify('N/A'),
      ...flexAppVariables(),
    },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWidget();
}
