// Entry point of the `prefect-insights` binary (bundled to dist-cli/prefect-insights.js by `npm run build:cli`).
import { scan } from '../insights/engine';
import { createPrometheusApi, fetchTransport } from '../prometheus/client';
import { resolveMetric } from '../prometheus/resolve';
import { EXIT_ERROR, runCli } from './run';

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) {
    process.exit(130);
  }
  interrupted = true;
  controller.abort();
});

runCli(process.argv.slice(2), {
  now: () => Date.now(),
  stdout: process.stdout,
  stderr: process.stderr,
  createApi: (url, timeoutSeconds, opts) =>
    createPrometheusApi(fetchTransport(url, { timeoutSeconds, compressed: opts?.compressed })),
  resolveMetric,
  scan,
  signal: controller.signal,
})
  .then((code) => {
    process.exitCode = interrupted ? 130 : code;
  })
  .catch((e: unknown) => {
    process.stderr.write(`prefect-insights: error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT_ERROR;
  });
