/**
 * Twilio's plugin builder (flex-plugin build, webpack 4) customised for this repository: the plugin's
 * code lives in src/, but the widget it shows is the kit's (../src: the platform-free core and the
 * Twilio adapter, plus ../../src/identity for the caller-number rules shared with the backend).
 * flex-plugin-scripts calls this with its own configuration and uses what it returns.
 */
const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');

const KIT_SOURCES = [path.resolve(__dirname, '../src'), path.resolve(__dirname, '../../src')];
/** The widget's browser libraries (lit, socket.io-client) come from the kit's node_modules, as ES2021. */
const KIT_MODULES = path.resolve(__dirname, '../../node_modules');

module.exports = (config) => {
  // ModuleScopePlugin keeps imports inside src/; the kit's widget is outside it by design.
  config.resolve.plugins = config.resolve.plugins.filter((p) => p.constructor.name !== 'ModuleScopePlugin');
  // Babel compiles the kit's sources too, with their own presets: TypeScript with `declare` fields
  // (lit's reactive properties), then down to what webpack 4's parser reads (webpack 4's acorn: no class fields, `?.`, `??`).
  const oneOf = config.module.rules.find((rule) => Array.isArray(rule.oneOf)).oneOf;
  oneOf.unshift({
    test: /\.(ts|m?js)$/,
    include: [...KIT_SOURCES, KIT_MODULES],
    loader: require.resolve('babel-loader'),
    options: {
      babelrc: false,
      configFile: false,
      presets: [
        [require.resolve('@babel/preset-env'), { targets: { chrome: '70' }, modules: false, bugfixes: true }],
        [
          require.resolve('@babel/preset-typescript'),
          { allowDeclareFields: true, onlyRemoveTypeImports: true },
        ],
      ],
    },
  });
  // The kit's TypeScript imports its own modules as `./x.js` (Node ESM); webpack 4 has no
  // extensionAlias, so a relative `.js` import that exists only as `.ts` is pointed at the `.ts`.
  config.plugins.push(
    new webpack.NormalModuleReplacementPlugin(/^\.\.?\/.*\.js$/, (resource) => {
      const ts = path.resolve(resource.context, resource.request.replace(/\.js$/, '.ts'));
      if (fs.existsSync(ts) && !fs.existsSync(path.resolve(resource.context, resource.request))) {
        resource.request = resource.request.replace(/\.js$/, '.ts');
      }
    }),
  );
  return config;
};
