// Builds the host page's JavaScript (shared modules + services + render helpers) with esbuild, from the project's own
// node_modules, so the plugin runs against the very @grafana/* versions it was built and typed against.
import { build, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface HostAssets {
  dir: string;
  bundle: string;
  systemJs: string;
  amdExtra: string;
}

/**
 * @grafana/scenes' package.json names an ES module entry (dist/esm/index.js) that the package does not ship, so
 * bundlers take its CommonJS build, which `require`s the CommonJS builds of @grafana/runtime, @grafana/data, ...: a
 * second copy, whose services (getDataSourceSrv, the TemplateSrv, runRequest) the host would never set. Grafana's
 * own build has one copy of each; so does this host: a `require` of those packages gets the same module as `import`.
 */
const oneCopyOfGrafanaPackages: Plugin = {
  name: 'one-copy-of-grafana-packages',
  setup(b) {
    b.onResolve({ filter: /^@grafana\/(data|runtime|ui|schema|i18n|e2e-selectors)$/ }, (args) =>
      args.kind === 'require-call'
        ? b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, importer: args.importer })
        : undefined
    );
  },
};

export async function buildHost(outDir: string): Promise<HostAssets> {
  mkdirSync(outDir, { recursive: true });
  const bundle = join(outDir, 'host.js');
  await build({
    entryPoints: [join(REPO_ROOT, 'tests/browser/host/entry.tsx')],
    outfile: bundle,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    sourcemap: false,
    logLevel: 'error',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: {
      // As text, so that the host can inject the stylesheets Grafana's own build bundles (uPlot's);
      // a side-effect import of a .css file then yields an unused string and styles nothing by itself.
      '.css': 'text',
      '.svg': 'dataurl',
      '.png': 'dataurl',
      '.woff': 'empty',
      '.woff2': 'empty',
      '.ttf': 'empty',
    },
    absWorkingDir: REPO_ROOT,
    plugins: [oneCopyOfGrafanaPackages],
  });
  const systemJs = join(outDir, 'system.js');
  const amdExtra = join(outDir, 'amd.js');
  copyFileSync(join(REPO_ROOT, 'node_modules/systemjs/dist/system.min.js'), systemJs);
  copyFileSync(join(REPO_ROOT, 'node_modules/systemjs/dist/extras/amd.min.js'), amdExtra);
  return { dir: outDir, bundle, systemJs, amdExtra };
}

if (require.main === module) {
  const started = Date.now();
  buildHost(join(REPO_ROOT, 'tests/artifacts/browser-host'))
    .then((a) => console.log(`host built in ${Date.now() - started} ms: ${a.bundle}`))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
