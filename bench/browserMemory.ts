// Peak memory of the browser's data source path: per size, Playwright runs bench/browser/memory.bench.ts once (its
// own Chromium, its own Prometheus holding the size), and the row is read back from the JSON it writes. Reported
// beside the growth table's Node heap; no target of its own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUT_ENV, SIZE_ENV, type BrowserMeasurement } from './browser/size';
import { parseGrowthSize } from './growthSize';

/** `BENCH_BROWSER_SIZES=10x1x1,50x2x7` (the default): the growth sizes a browser scan is measured at. */
const SIZES = (process.env.BENCH_BROWSER_SIZES ?? '10x1x1,50x2x7')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const MB = 2 ** 20;

export async function benchBrowserMemory(): Promise<boolean> {
  console.log('\n## Browser: one scan through the built data source in Chromium (peak JS heap)');
  if (!existsSync('dist/datasource/module.js')) {
    console.log('not run: dist/ is missing (run `npm run build` first)');
    return false;
  }
  let ok = true;
  for (const size of SIZES) {
    parseGrowthSize(size, 'BENCH_BROWSER_SIZES');
    const dir = mkdtempSync(join(tmpdir(), 'bench-browser-'));
    const out = join(dir, 'result.json');
    try {
      const run = spawnSync('npx', ['playwright', 'test', '-c', 'playwright.bench.config.ts'], {
        env: { ...process.env, [SIZE_ENV]: size, [OUT_ENV]: out },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (run.status !== 0 || !existsSync(out)) {
        console.log(`${size}: failed (exit ${run.status}): ${(run.stdout + run.stderr).slice(-1500)}`);
        ok = false;
        continue;
      }
      const m = JSON.parse(readFileSync(out, 'utf8')) as BrowserMeasurement;
      console.log(
        `${size}: ${(m.ms / 1000).toFixed(1)} s in Chromium, ${m.requests} requests, JS heap ` +
          `${(m.heapBefore / MB).toFixed(0)} MB before, peak ${(m.heapPeak / MB).toFixed(0)} MB ` +
          `(${m.samples} samples), ${m.events} annotation events`
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return ok;
}
