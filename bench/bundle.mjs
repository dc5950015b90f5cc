// Bundles the benchmark for Node. @grafana/ui is replaced by the integration tests' inert stand-in: the data
// source's query path renders nothing, and importing the real package in Node needs a DOM.
import { build } from 'esbuild';

await build({
  entryPoints: ['bench/run.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: '.tmp/bench.cjs',
  alias: { '@grafana/ui': './tests/integration/stubs/grafana-ui.js' },
  logLevel: 'warning',
  loader: { '.svg': 'empty', '.css': 'empty' },
});
