// `npm run bench`: prints figures and ratios against their targets. Not a test: it never fails a build on speed,
// but it exits 1 when a target is missed so a reader of CI output sees it.
import '../tests/integration/setup';
import { benchBrowserMemory } from './browserMemory';
import { benchDetectors } from './detectors';
import { benchGrowth, rescanKept } from './growth';
import { startBenchPrometheus } from './prometheus';
import { benchQueryPath } from './queryPath';
import { benchRefresh } from './refresh';
import { benchScan } from './scan';
import { reportSizes } from './sizes';

/**
 * `BENCH_ONLY=growth` (or `sizes,detectors,query,growth,browser`) runs only those parts; `query` is the 7-day set,
 * `browser` the data source path's memory in Chromium (needs `npm run build`).
 */
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const wanted = (part: string) => ONLY === undefined || ONLY.includes(part);

async function main(): Promise<void> {
  console.log(`# prefect-insights benchmark (${new Date().toISOString()}, node ${process.version})`);
  const results: Record<string, boolean> = {};
  if (wanted('sizes')) {
    results.sizes = reportSizes();
  }
  if (wanted('detectors')) {
    results.detectors = await benchDetectors();
  }
  if (wanted('query')) {
    const { prometheus, from, to } = await startBenchPrometheus();
    try {
      results.queryPath = await benchQueryPath(prometheus.url, from, to);
      results.scan = await benchScan(prometheus.url, from, to);
      results.refresh = await benchRefresh(prometheus.url, to);
    } finally {
      await prometheus.stop();
    }
  }
  if (wanted('growth')) {
    results.growth = await benchGrowth();
  }
  // Only when asked for by name: it needs a kept size (BENCH_GROWTH_KEEP).
  if (ONLY?.includes('rescan')) {
    results.rescan = await rescanKept();
  }
  if (wanted('browser')) {
    results.browser = await benchBrowserMemory();
  }
  const missed = Object.entries(results)
    .filter(([, ok]) => !ok)
    .map(([k]) => k);
  console.log(`\n${missed.length === 0 ? 'All targets met.' : `Targets missed: ${missed.join(', ')}`}`);
  process.exitCode = missed.length === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
});
