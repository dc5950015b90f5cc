// A real Prometheus holding 7 days × 10 routes at 60 s of simulated Prefect traffic, for the query-path and scan
// benchmarks. Backfilled once per `npm run bench`, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus, type RunningPrometheus } from '../tests/harness/prometheus';
import { buildTimeline, COMPACT_ROUTE_IDS, writeOpenMetrics } from '../tools/simulator';

export interface BenchPrometheus {
  prometheus: RunningPrometheus;
  from: number;
  to: number;
}

export async function startBenchPrometheus(): Promise<BenchPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'prefect-bench-'));
  try {
    const routes = [...COMPACT_ROUTE_IDS];
    const t0 = Date.now();
    const timeline = buildTimeline({ seed: 7, days: 7, scrapeIntervalSeconds: 60, routes });
    const file = join(dir, 'bench.om');
    const written = writeOpenMetrics(timeline, file);
    const prometheus = await startPrometheus({ openMetrics: file });
    console.log(
      `data: 7 days × ${routes.length} routes at 60 s, ${(written.samples / 1e6).toFixed(2)} M samples; ` +
        `generated + backfilled in ${((Date.now() - t0) / 1000).toFixed(1)} s (promtool ${prometheus.backfillSeconds.toFixed(1)} s)`
    );
    return { prometheus, from: timeline.end - 7 * 86_400_000, to: timeline.end };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
