// The browser memory bench's set-up: the host page (as the browser tests build it) and one real Prometheus 2.42
// holding one growth size, written by the same block writer and simulator seed as bench/growth.ts.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, buildHost } from '../../tests/browser/harness/buildHost';
import { STATE_ENV, type SetupState } from '../../tests/browser/harness/state';
import { startPrometheus } from '../../tests/harness/prometheus';
import { writeTsdbBlock } from '../../tests/harness/tsdbBlock';
import { growthTimeline, parseGrowthSize } from '../growthSize';
import { RANGE_ENV, SIZE_ENV } from './size';

const WORK_DIR = join(REPO_ROOT, 'tests/artifacts/bench-browser-host');

export default async function globalSetup(): Promise<() => Promise<void>> {
  for (const file of ['dist/datasource/module.js', 'dist/datasource/plugin.json']) {
    if (!existsSync(join(REPO_ROOT, file))) {
      throw new Error(`${file} is missing: run \`npm run build\` before the browser bench`);
    }
  }
  const size = parseGrowthSize(process.env[SIZE_ENV] ?? '10x1x1', SIZE_ENV);
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const assets = await buildHost(WORK_DIR);
  const timeline = growthTimeline(size);
  const prometheus = await startPrometheus({
    fillDataDir: async (dir) => void (await writeTsdbBlock(timeline, dir)),
    extraArgs: ['--storage.tsdb.max-block-duration=1d'],
    readyTimeoutMs: 300_000,
  });
  const state: SetupState = { hostDir: assets.dir, prometheusUrl: prometheus.url };
  const stateFile = join(WORK_DIR, 'state.json');
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  process.env[STATE_ENV] = stateFile;
  // The growth bench's range: the timeline less its first 6 hours (the detectors' look-back).
  process.env[RANGE_ENV] = JSON.stringify({ from: timeline.start + 6 * 3_600_000, to: timeline.end });
  return () => prometheus.stop();
}
