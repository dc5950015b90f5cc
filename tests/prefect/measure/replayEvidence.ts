// By hand (not part of any suite): the evidence checks of the incident suite again, on a run kept with
// PREFECT_KEEP_LOGS=1, so a change to a check is tried on runs other than the one that showed its fault. Serve the
// kept TSDB first (a copy: Prometheus writes to it), then:
//
//   prometheus --storage.tsdb.path=<copy of dir/prometheus-data> --config.file=/dev/null \
//     --web.listen-address=127.0.0.1:19390 &
//   npx tsx tests/prefect/measure/replayEvidence.ts <dir> http://127.0.0.1:19390 [scan options, e.g. --pool-size 2]
//
// The scan covers the request log's span. The server is gone, so requests are mapped to routes by the route label's
// own values (the templates the server's instrumentation reported), not by its OpenAPI document as in the suite.
import { join } from 'node:path';
import { promQuery } from '../../harness/prometheus';
import { readRequests, templateFrom, type RecordedRequest } from '../harness/groundTruth';
import { sh } from '../harness/sh';
import { ROOT } from '../harness/venv';
import { seriesInWindow, type MetricLabels } from '../harness/windowSeries';
import { checkEvidence, formatCheck, type ScanFinding } from '../evidenceTruth';
import { rateWindow } from '../../../src/prometheus/step';

const [dir, prometheusUrl, ...scanArgs] = process.argv.slice(2);
if (!dir || !prometheusUrl) {
  process.stderr.write('usage: replayEvidence.ts <kept run dir> <prometheus url> [scan options]\n');
  process.exit(2);
}
/** Every setup scrapes or pushes every 5 s (incidents.test.ts). */
const SAMPLE_INTERVAL_S = 5;

async function main(): Promise<void> {
  const requests = readRequests(join(dir, 'requests.jsonl'));
  const ends = requests.map((r) => r.end);
  const from = Math.floor(Math.min(...ends));
  const to = Math.ceil(Math.max(...ends));
  const cli = join(ROOT, 'dist-cli/prefect-insights.js');
  const args = ['scan', '--prometheus', prometheusUrl, '--from', String(from), '--to', String(to), ...scanArgs];
  const res = await sh(process.execPath, [cli, ...args, '--format', 'json'], 300_000);
  if (res.code !== 0) {
    throw new Error(`scan failed (${res.code}): ${res.stderr}`);
  }
  const out = JSON.parse(res.stdout) as {
    metric: { name: string; labels: MetricLabels };
    source?: { resolutionSeconds: number; rateWindowSeconds?: number };
    insights: Array<{ id: string; start: string; end: string; routes: string[]; evidence: Record<string, unknown> }>;
  };
  const name = out.metric.name.replace(/[^A-Za-z0-9_:]/g, '');
  const values = await promQuery<Array<{ metric: Record<string, string> }>>(
    prometheusUrl,
    `group by (${out.metric.labels.route}) ({__name__=~"${name}(_count)?"})`,
    { time: to }
  );
  const templates = values
    .map((v) => v.metric[out.metric.labels.route].replace(/^\/api(?=\/)/, ''))
    .map((template) => templateFrom(template, []))
    .sort((a, b) => b.literals - a.literals);
  const routeOf = (r: RecordedRequest) =>
    templates.find((t) => t.pattern.test(r.path.replace(/^\/api(?=\/)/, '')))?.template;
  const windowSeconds =
    out.source?.rateWindowSeconds ?? rateWindow(out.source?.resolutionSeconds ?? SAMPLE_INTERVAL_S, SAMPLE_INTERVAL_S);
  process.stdout.write(`${args.join(' ')}\n`);
  for (const i of out.insights) {
    const f: ScanFinding = {
      id: i.id,
      start: Date.parse(i.start),
      end: Date.parse(i.end),
      routes: i.routes,
      evidence: i.evidence,
    };
    const peakAt = Date.parse(String(i.evidence.peakAt));
    // The injected window only bounds the count timeout's and the outage's clients; the finding's own stretch here.
    const checks = checkEvidence(
      f,
      { insight: i.id, label: '', start: f.start, end: f.end, notes: [] },
      {
        requests,
        routeOf,
        windowSeconds,
        peakWindow:
          peakAt === peakAt ? await seriesInWindow(prometheusUrl, out.metric, peakAt, windowSeconds) : undefined,
      }
    );
    process.stdout.write(`${i.id} ${i.start}–${i.end}\n${checks.map((c) => `  ${formatCheck(c)}\n`).join('')}`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
