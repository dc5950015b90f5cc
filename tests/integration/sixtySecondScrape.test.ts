/** @jest-environment node */
// A real Prometheus (Debian's 2.42) holding Prefect data scraped every 60 s, days back, as the demo and many
// installations have it, beside another service's histogram. Two things a newcomer hit against such data:
// `rules --prometheus` sized its rate windows for a 15 s scrape (every window [45s], so every rule stayed empty),
// and every resolution failure said "instrument the Prefect server", whatever its cause.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

import { runCli, type CliDeps } from '../../src/cli/run';
import { scan } from '../../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../../src/prometheus/client';
import { MetricNotFoundError, resolveMetric } from '../../src/prometheus/resolve';
import { RECORDED } from '../../src/rules/generate';
import { buildTimeline, writeOpenMetrics, type Timeline } from '../../tools/simulator';
import { promQuery, startPrometheus, type RunningPrometheus } from '../harness/prometheus';

const SCRAPE_SECONDS = 60;
const DAY = 86_400_000;
const OTHER_HISTOGRAM = 'billing_request_latency_seconds';
const work = mkdtempSync(join(tmpdir(), 'sixty-seconds-'));
let prom: RunningPrometheus;
let timeline: Timeline;

/** Another service's histogram over the same hours, so "the histograms that exist" has more than one name. */
function otherHistogram(t: Timeline): string {
  const lines = [`# TYPE ${OTHER_HISTOGRAM} histogram`];
  const bounds = ['0.1', '1', '+Inf'];
  for (let ts = t.start, n = 1; ts <= t.end; ts += 10 * SCRAPE_SECONDS * 1000, n++) {
    for (const le of bounds) {
      lines.push(`${OTHER_HISTOGRAM}_bucket{job="billing",le="${le}"} ${n} ${ts / 1000}`);
    }
    lines.push(`${OTHER_HISTOGRAM}_count{job="billing"} ${n} ${ts / 1000}`);
    lines.push(`${OTHER_HISTOGRAM}_sum{job="billing"} ${n / 10} ${ts / 1000}`);
  }
  return lines.join('\n') + '\n# EOF\n';
}

beforeAll(async () => {
  // Two days back, as the demo's data lies: within `rules`' 7-day look-back, outside a `-24h` scan.
  const start = Math.floor((Date.now() - 2 * DAY) / DAY) * DAY;
  timeline = buildTimeline({
    seed: 11,
    convention: 'prefect',
    start,
    days: 0.5,
    include: ['db-pool-exhaustion'],
    scrapeIntervalSeconds: SCRAPE_SECONDS,
  });
  const file = join(work, 'prefect.om');
  writeOpenMetrics(timeline, file);
  prom = await startPrometheus({ engine: 'prometheus2', openMetrics: [file, otherHistogram(timeline)] });
}, 170_000);

afterAll(async () => {
  await prom?.stop();
  rmSync(work, { recursive: true, force: true });
});

function sink() {
  const chunks: string[] = [];
  return { write: (t: string) => chunks.push(t), text: () => chunks.join('') };
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const deps: CliDeps = {
    now: () => Date.now(),
    stdout,
    stderr,
    createApi: (url, timeoutSeconds) => createPrometheusApi(fetchTransport(url, { timeoutSeconds })),
    resolveMetric,
    scan,
  };
  const code = await runCli(argv, deps);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

interface RuleGroup {
  name: string;
  rules: Array<{ record?: string; alert?: string; expr: string; for?: string }>;
}

describe('rules --prometheus against data scraped every 60 s', () => {
  it('sizes every rate window for the measured 60 s, so the recordings hold data', async () => {
    const r = await cli(['rules', '--prometheus', prom.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('scrape interval 60 s');
    expect(r.stdout).not.toMatch(/\[45s\]/);
    const groups = (parse(r.stdout) as { groups: RuleGroup[] }).groups;
    const cadence = groups.find((g) => g.name === 'prefect-insights')!;
    const recordings = cadence.rules.filter((x) => x.record);
    expect(recordings.map((x) => x.record)).toContain(RECORDED.totalRate);
    // Evaluated at a time inside the data, every per-route recording returns series: with [45s] windows over
    // 60 s samples, rate() had one sample per window and returned nothing.
    const at = (timeline.start + timeline.end) / 2 / 1000;
    const recorded = recordings.map((x) => x.record!);
    // Those over the raw histogram (the baselines read other recordings, which backfilled data does not have),
    // apart from the 5xx rate, whose series exist only where an incident produced 5xx answers.
    const overRawData = recordings.filter(
      (x) => !recorded.some((name) => x.expr.includes(name)) && x.record !== RECORDED.errorRate
    );
    expect(overRawData.length).toBeGreaterThanOrEqual(5);
    const empty: string[] = [];
    for (const rule of overRawData) {
      const result = await promQuery<unknown[]>(prom.url, rule.expr, { time: at });
      if (result.length === 0) {
        empty.push(rule.record!);
      }
    }
    expect(empty).toEqual([]);
  }, 120_000);

  it('refuses a --scrape-interval whose windows would hold under two scrapes', async () => {
    const r = await cli(['rules', '--prometheus', prom.url, '--scrape-interval', '15']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--scrape-interval 15 gives rate windows of 45s, under two of the 60 s scrapes measured/);
  });
});

describe('why the histogram was not found, against a real Prometheus', () => {
  const api = () => createPrometheusApi(fetchTransport(prom.url));
  const dataRange = () => ({ start: timeline.start / 1000, end: timeline.end / 1000 });

  async function notFound(overrides: Parameters<typeof resolveMetric>[1], range: { start: number; end: number }) {
    const err = await resolveMetric(api(), overrides, range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricNotFoundError);
    return err as MetricNotFoundError;
  }

  it('a selector that matches nothing: shows the values its labels do have', async () => {
    const err = await notFound({ selector: 'job="prefect-sever"' }, dataRange());
    expect(err.reason).toBe('selector');
    expect(err.message).toContain('The selector `job="prefect-sever"` matches none of the');
    expect(err.message).toContain('job = "prefect-server"');
    expect(err.message).not.toMatch(/instrument/);
  });

  it('a metric outside the range: says when it was last seen, to the second', async () => {
    const lastSample = Math.floor(timeline.end / (SCRAPE_SECONDS * 1000)) * SCRAPE_SECONDS;
    const err = await notFound({}, { start: timeline.end / 1000 + DAY / 1000, end: timeline.end / 1000 + DAY / 500 });
    expect(err.reason).toBe('outside-range');
    expect(err.message).toContain('`prefect_server_api_request_duration_seconds` has no samples between');
    // The simulator's last scrape is at or just before its end.
    const seen = /was last seen at (\S+Z)/.exec(err.message);
    expect(seen).not.toBeNull();
    expect(Math.abs(Date.parse(seen![1]) / 1000 - lastSample)).toBeLessThanOrEqual(SCRAPE_SECONDS);
    const spans = /spans (\S+Z) \.\. (\S+Z);/.exec(err.message);
    expect(Math.abs(Date.parse(spans![1]) - timeline.start)).toBeLessThanOrEqual(SCRAPE_SECONDS * 1000);
    expect(spans![2]).toBe(seen![1]);
    expect(err.message).not.toMatch(/instrument/);
  });

  it('an unknown metric name: lists the histograms that do exist', async () => {
    const err = await notFound({ metric: 'prefect_server_api_request_duraton_seconds' }, dataRange());
    expect(err.reason).toBe('unknown-metric');
    expect(err.message).toContain(
      `The histograms there: \`${OTHER_HISTOGRAM}\`, \`prefect_server_api_request_duration_seconds\`.`
    );
    expect(err.message).not.toMatch(/instrument/);
  });

  it('no histogram at all: gives the instrumentation recipe', async () => {
    const long = { start: timeline.start / 1000 - 90 * 86400, end: timeline.start / 1000 - 89 * 86400 };
    const err = await notFound({}, long);
    expect(err.reason).toBe('no-histogram');
    expect(err.message).toMatch(/^No histogram at all between/);
    expect(err.message).toContain('opentelemetry-instrument prefect server start');
  });

  it('the command line prints the cause in one line', async () => {
    const r = await cli([
      'scan',
      '--prometheus',
      prom.url,
      '--from',
      String(timeline.start),
      '--to',
      String(timeline.end),
      '--selector',
      'job="prefect-sever"',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^prefect-insights: error: The selector `job="prefect-sever"` matches none of[^\n]*\n$/);
    expect(r.stderr).toContain('job = "prefect-server"');
  });
});
