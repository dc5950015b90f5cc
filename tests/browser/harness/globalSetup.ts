// Builds the host page, checks that the plugin is built, and starts a real Prometheus filled with simulated Prefect
// traffic. Returns the teardown, which Playwright runs after the last test whatever the outcome.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, buildHost } from './buildHost';
import { STATE_ENV, type SetupState } from './state';
import { startSimulatedPrometheus } from './simulatedPrometheus';

const WORK_DIR = join(REPO_ROOT, 'tests/artifacts/browser-host');

export default async function globalSetup(): Promise<() => Promise<void>> {
  for (const file of [
    'dist/module.js',
    'dist/datasource/module.js',
    'dist/plugin.json',
    'dist/datasource/plugin.json',
  ]) {
    if (!existsSync(join(REPO_ROOT, file))) {
      throw new Error(`${file} is missing: run \`npm run build\` before the browser tests`);
    }
  }
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(join(REPO_ROOT, 'tests/artifacts/screenshots'), { recursive: true });
  // Both take seconds and are independent: overlap them.
  const startingPrometheus = startSimulatedPrometheus().then(
    (started) => ({ started, error: undefined }),
    // Tests that need Prometheus fail with this reason; the others still run.
    (err: unknown) => ({ started: undefined, error: err instanceof Error ? err.message : String(err) })
  );
  let assets;
  try {
    assets = await buildHost(WORK_DIR);
  } catch (err) {
    // Playwright runs no teardown when globalSetup throws: stop the Prometheus that may have started meanwhile.
    await (await startingPrometheus).started?.stop();
    throw err;
  }
  const prometheus = await startingPrometheus;
  const state: SetupState = {
    hostDir: assets.dir,
    prometheusUrl: prometheus.started?.url,
    prometheusError: prometheus.error,
    data: prometheus.started?.data,
  };
  const stop = prometheus.started?.stop;

  const stateFile = join(WORK_DIR, 'state.json');
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  process.env[STATE_ENV] = stateFile;

  return async () => {
    await stop?.();
  };
}
