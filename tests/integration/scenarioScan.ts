// One scenario timeline backfilled into a real Prometheus and scanned through the CLI's own code path, as the
// scenario test and the seed sweep (tools/scenario-sweep.ts) both do.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanJson } from '../../src/cli/output';
import { runCli } from '../../src/cli/run';
import { scan } from '../../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../../src/prometheus/client';
import { resolveMetric } from '../../src/prometheus/resolve';
import { writeOpenMetrics, type Timeline } from '../../tools/simulator';
import { startPrometheus } from '../harness/prometheus';

const HOUR = 3_600_000;

export interface TimelineScan {
  code: number;
  stderr: string;
  /** Parsed stdout; undefined when the scan failed. */
  json?: ScanJson;
  /** Detections as the matcher wants them (unix ms). */
  detections: Array<{ id: string; start: number; end: number }>;
  /** Wall time of the scan alone, seconds. */
  seconds: number;
}

export async function backfillAndScan(timeline: Timeline, workDir: string): Promise<TimelineScan> {
  const file = join(workDir, `${timeline.convention}-${timeline.seed}-${timeline.start}.om`);
  writeOpenMetrics(timeline, file);
  const prom = await startPrometheus({ openMetrics: file }).finally(() => rmSync(file, { force: true }));
  try {
    const out: string[] = [];
    const err: string[] = [];
    // From two hours in: the scan adds its own six-hour look-back, partly empty, as in a fresh installation.
    const from = timeline.start + 2 * HOUR;
    const started = Date.now();
    const code = await runCli(
      ['scan', '--prometheus', prom.url, '--from', String(from / 1000), '--to', String(timeline.end / 1000)].concat([
        '--format',
        'json',
      ]),
      {
        now: () => Date.now(),
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: (t: string) => err.push(t) },
        createApi: (url) => createPrometheusApi(fetchTransport(url)),
        resolveMetric,
        scan,
      }
    );
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const json = code === 0 || code === 1 ? (JSON.parse(out.join('')) as ScanJson) : undefined;
    const detections = (json?.insights ?? []).map((i) => ({
      id: i.id,
      start: Date.parse(i.start),
      end: Date.parse(i.end),
    }));
    return { code, stderr: err.join(''), json, detections, seconds };
  } finally {
    await prom.stop();
  }
}
