/** @jest-environment node */
import { DEFAULT_PREFECT_SETTINGS } from '../../catalog/prefectSettings';
import type { MatrixSeries, PrometheusApi, ResolvedMetric, TimeRange } from '../../prometheus/types';
import type { Detector, Episode, ScanInput } from '../types';
import { estimatedSeconds, REQUEST_BUDGET_SECONDS, SAMPLE_BUDGET } from './chunks';
import { DOWNSAMPLED_SECONDS_PER_POINT } from '../../prometheus/downsampling';
import { LOOKBACK_SECONDS, readProbe, recordedCoverage, runScan, scrapeIntervalFromCounts } from './scan';

const METRIC: ResolvedMetric = {
  conventionId: 'prefect',
  name: 'prefect_server_api_request_duration_seconds',
  kind: 'classic',
  unit: 'seconds',
  labels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
  selector: 'job="prefect-server"',
  buckets: [0.1, 1, 10, 30, 60, 120],
};

const FROM = Date.UTC(2024, 4, 1, 9);
const TO = Date.UTC(2024, 4, 1, 10);
const SCRAPE = 15;

type Role = 'probe' | 'targets' | 'p50' | 'p95' | 'p99' | 'mean' | 'errorRate' | 'slowShare' | 'tailShare' | 'rate';

/** A share at the threshold's bucket is the slow share; one at the largest bound (120 s here) is the tail share. */
function roleOf(expr: string, largestBound = 120): Role {
  if (expr.includes('count_over_time')) {
    return 'probe';
  }
  if (expr.startsWith('label_replace(') && expr.includes('prefect_insights_part')) {
    return 'targets';
  }
  const q = /histogram_quantile\((0\.\d+)/.exec(expr);
  if (q) {
    return ({ '0.5': 'p50', '0.95': 'p95', '0.99': 'p99' } as const)[q[1] as '0.5'];
  }
  const recorded = /:(p50|p95|p99)_long/.exec(expr);
  if (recorded) {
    return recorded[1] as 'p50';
  }
  if (expr.includes('_sum')) {
    return 'mean';
  }
  // The 5xx rate, dense (`… or (0 * total)`) or sparse (the errors alone, `!= 0`), raw or recorded.
  if (expr.includes(' or (0 *') || expr.includes('_5xx:') || expr.includes('_code=~"5')) {
    return 'errorRate';
  }
  const le = /le=~"\(([^|]+)\|/.exec(expr);
  if (le) {
    return Number(le[1]) === largestBound ? 'tailShare' : 'slowShare';
  }
  return 'rate';
}

interface FakeOptions {
  /** value per raw route and role at a time (seconds); undefined = no sample */
  value?: (route: string, role: Role, t: number) => number | undefined;
  routes?: string[];
  probeCount?: number;
  /** the probe's series count (its SERIES_PART row); undefined = no such row, as from an older answer */
  probeSeries?: number;
  delayMs?: number;
  /** largest bucket bound of the metric, in the unit of its `le` labels (default METRIC's 120) */
  largestBound?: number;
  /** the long-range recordings: points per probe window at a time (undefined = none), and their route series */
  recorded?: { points: (t: number) => number | undefined; series: number };
  /** the recorded quantiles' points per probe window (default: none, as from a rule file of the previous version) */
  recordedQuantiles?: (t: number) => number | undefined;
  /** one target whose samples begin at `born` (unix s) every `every` seconds: its probe counts follow its age */
  young?: { born: number; every: number };
  /** the raw metric's last sample (unix s): probe windows after it count nothing */
  rawUntil?: number;
  /**
   * Thanos's 5-minute blocks hold the metric up to this time (unix s): a probe that asks for them
   * (`max_source_resolution`) counts their count aggregate there, 2 per 10-minute window
   */
  downsampledUntil?: number;
  /** what the series API answers for the metric (default: the one probed target) */
  seriesLabels?: Array<Record<string, string>>;
}

/** The test metric's raw series in a probe expression (the recordings-only probe has none). */
const RAW_PROBED = /prefect_server_api_request_duration_seconds(_count)?\{/;

function fakeApi(o: FakeOptions = {}) {
  const routes = o.routes ?? ['/api/flow_runs/filter', '/api/health'];
  const calls: Array<{ expr: string; range: TimeRange; role: Role; params?: Record<string, string> }> = [];
  const seriesCalls: Array<{ matchers: string[]; start: number; end: number }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const api: PrometheusApi = {
    async queryRange(expr, range, opts) {
      const role = roleOf(expr, o.largestBound);
      calls.push({ expr, range, role, params: opts?.params });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, o.delayMs ?? 1));
      inFlight--;
      if (opts?.signal?.aborted) {
        throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      }
      const times: number[] = [];
      for (let t = range.start; t <= range.end; t += range.step) {
        times.push(t);
      }
      if (role === 'probe' && o.young) {
        const { born, every } = o.young;
        const w = Number(/\[(\d+)m\]/.exec(expr)![1]) * 60;
        // Samples at born, born + every, … up to TO, counted in (t - w, t] as count_over_time does.
        const inWindow = (t: number) => {
          const last = Math.min(t, TO / 1000);
          const first = Math.max(born, t - w + 1e-9);
          return last < first ? 0 : Math.floor((last - born) / every) - Math.ceil((first - born) / every) + 1;
        };
        const values = times.map((t) => [t, String(inWindow(t))] as [number, string]).filter(([, v]) => v !== '0');
        return [{ metric: { job: 'prefect-server', instance: 'young:4200' }, values }];
      }
      if (role === 'probe') {
        const n = o.probeCount ?? 600 / SCRAPE;
        const downsampledAt = (t: number) =>
          opts?.params?.max_source_resolution === '5m' && o.downsampledUntil !== undefined && t <= o.downsampledUntil;
        const rawTimes = times.filter((t) => o.rawUntil === undefined || t <= o.rawUntil);
        const rows: MatrixSeries[] =
          n === 0 || !RAW_PROBED.test(expr) || rawTimes.length === 0
            ? []
            : [
                {
                  metric: { job: 'prefect-server', instance: 'p:4200' },
                  values: rawTimes.map((t) => [t, String(downsampledAt(t) ? 2 : n)]),
                },
              ];
        if (o.recorded && expr.includes('rate_long')) {
          const at = times.filter((t) => o.recorded!.points(t) !== undefined);
          rows.push(
            {
              metric: { prefect_insights_part: 'recorded' },
              values: at.map((t) => [t, String(o.recorded!.points(t))]),
            },
            {
              metric: { prefect_insights_part: 'recorded_series' },
              values: at.map((t) => [t, String(o.recorded!.series)]),
            }
          );
        }
        const quantiles = o.recordedQuantiles;
        if (quantiles) {
          const at = times.filter((t) => quantiles(t) !== undefined);
          for (const name of ['p50', 'p95', 'p99']) {
            // Like Prometheus: a row only for a recording the probe asked about.
            if (expr.includes(`:${name}_long[`)) {
              rows.push({
                metric: { prefect_insights_part: `recorded_${name}` },
                values: at.map((t) => [t, String(quantiles(t))]),
              });
            }
          }
        }
        if (o.probeSeries !== undefined && expr.includes('"series"') && rawTimes.length > 0) {
          rows.push({
            metric: { prefect_insights_part: 'series' },
            values: rawTimes.map((t) => [t, String(o.probeSeries)]),
          });
        }
        return rows;
      }
      if (role === 'targets') {
        const one = (v: string) => times.map((t) => [t, v] as [number, string]);
        const instance = 'p:4200';
        const rate = { metric: { prefect_insights_part: 'rate', instance }, values: one('2') };
        // Like Prometheus: the `up` half answers only when it was asked for.
        return expr.includes('up{')
          ? [{ metric: { prefect_insights_part: 'up', instance }, values: one('1') }, rate]
          : [rate];
      }
      const given = (route: string, r: Role, t: number) => (o.value ? o.value(route, r, t) : 1);
      // A numerator alone, no division (the mean's `_sum` rate, a recorded share's slow rate), is the value the
      // role names times the rate.
      const sumOnly = (role === 'mean' || role === 'slowShare' || role === 'tailShare') && !expr.includes(' / ');
      const valueOf = (route: string, r: Role, t: number) => {
        const v = given(route, r, t);
        const rate = given(route, 'rate', t);
        return sumOnly && v !== undefined ? (rate === undefined ? undefined : v * rate) : v;
      };
      // What Prometheus does with the scan's two filters: a sparse read (`(…) != 0`) drops the points that are
      // exactly 0, the conditional median (`… and on (route) (tail share >= x)`) keeps only the points where the
      // same route's tail share reaches x.
      const sparse = expr.endsWith(') != 0');
      const onTail = / and on \(http_route\) \(\(.*\) >= ([0-9.e-]+)\)$/.exec(expr);
      const keep = (route: string, t: number, v: number) =>
        !(sparse && v === 0) && (onTail === null || (valueOf(route, 'tailShare', t) ?? NaN) >= Number(onTail[1]));
      const answer = (r: Role, tag: Record<string, string> = {}) =>
        routes.map<MatrixSeries>((route) => ({
          metric: { http_route: route, ...tag },
          values: times
            .map((t) => [t, valueOf(route, r, t)] as const)
            .filter((p): p is readonly [number, number] => p[1] !== undefined && keep(route, p[0], p[1]))
            .map(([t, v]) => [t, String(v)]),
        }));
      // The p95 and p99 as one query (`… or label_replace(…p99…, "prefect_insights_part", "p99", "", "")`).
      const tagged = / or label_replace\(histogram_quantile\(0\.99, .*, "prefect_insights_part", "p99", "", ""\)$/;
      return role === 'p95' && tagged.test(expr)
        ? [...answer('p95'), ...answer('p99', { prefect_insights_part: 'p99' })]
        : answer(role);
    },
    query: async () => [],
    async series(matchers, start, end) {
      seriesCalls.push({ matchers, start, end });
      return (
        o.seriesLabels ?? [
          { __name__: 'prefect_server_api_request_duration_seconds_count', job: 'prefect-server', instance: 'p:4200' },
        ]
      );
    },
    labelValues: async () => [],
  };
  return { api, calls, seriesCalls, maxInFlight: () => maxInFlight };
}

function captureDetector(sink: { input?: ScanInput }): Detector {
  return {
    id: 'api-outage',
    detect(input) {
      sink.input = input;
      return [];
    },
  };
}

function ep(id: Episode['id'], severity: Episode['severity'], start: number, end: number): Episode {
  return { id, severity, title: id, start, end, routes: [], evidence: { summary: id } };
}

const base = { metric: METRIC, from: FROM, to: TO, settings: DEFAULT_PREFECT_SETTINGS };

describe('bounded requests', () => {
  const month = { ...base, from: TO - 30 * 86_400_000, to: TO };
  const points = (r: TimeRange) => Math.floor((r.end - r.start) / r.step + 1e-9) + 1;
  const rawSeries = (probed: number) => probed * (METRIC.buckets.length + 1);
  // Varies by route, time and role, so a point aligned to the wrong grid index or taken twice shows.
  const value = (route: string, role: Role, t: number) =>
    ((t / 15) % 97) + route.length * 0.001 + ['p50', 'p95', 'p99', 'mean', 'rate'].indexOf(role) * 1000;

  it('asks each query in one request when the fleet is small', async () => {
    const a = fakeApi({ probeSeries: 10 });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.step).toBe(300_000);
    // A month is probed for the recordings first; none are loaded, so the raw probe follows over the whole span.
    expect(a.calls[1].expr).toContain('"prefect_insights_part", "series"');
    expect(new Set(a.calls.filter((c) => c.role !== 'probe').map((c) => JSON.stringify(c.range))).size).toBe(1);
    expect(r.requests).toBe(11);
  });

  it("splits a big fleet's month into pieces on the grid, each read by what it selects, each under both budgets", async () => {
    const series = 7000;
    const a = fakeApi({ probeSeries: series });
    const progress: Array<[number, number]> = [];
    const r = await runScan({ ...month, api: a.api, onProgress: (d, t) => progress.push([d, t]) }, []);
    expect(r.step).toBe(300_000);
    const first = Math.floor((month.from / 1000 - LOOKBACK_SECONDS) / 300) * 300;
    // Every bucket and +Inf for the quantiles, one more for the median's tail condition, two for the rest.
    const selected = { p95: rawSeries(series), p99: rawSeries(series), p50: rawSeries(series) + series };
    const piecesOf = (role: string) => a.calls.filter((c) => c.role === role).map((c) => c.range);
    for (const role of ['p95', 'p99', 'p50', 'mean', 'rate', 'errorRate', 'targets'] as const) {
      const pieces = piecesOf(role);
      const read = role in selected ? selected[role as keyof typeof selected] : 2 * series;
      expect(pieces.length).toBeGreaterThan(1);
      for (let k = 0; k < pieces.length; k++) {
        expect(points(pieces[k]) * read).toBeLessThanOrEqual(SAMPLE_BUDGET);
        expect(estimatedSeconds(read, points(pieces[k]), 300, SCRAPE, 315)).toBeLessThanOrEqual(
          REQUEST_BUDGET_SECONDS + 1e-9
        );
        if (k > 0) {
          // The next piece starts on the grid point after the last one ended: no point lost, none doubled.
          expect(pieces[k].start).toBe(pieces[k - 1].end + 300);
        }
      }
      expect(pieces[0].start).toBe(first);
      expect(pieces[pieces.length - 1].end).toBeLessThanOrEqual(TO / 1000);
      expect(pieces[pieces.length - 1].end).toBeGreaterThan(TO / 1000 - 300);
    }
    expect(piecesOf('p99')).toEqual(piecesOf('p95'));
    // A read of one or two series per route is asked in several times fewer pieces than a read of every bucket.
    expect(piecesOf('rate').length * 3).toBeLessThan(piecesOf('p95').length);
    expect(piecesOf('targets')).toEqual(piecesOf('rate'));
    // The count and the progress total say so.
    expect(r.requests).toBe(a.calls.length);
    expect(progress[progress.length - 1]).toEqual([r.requests, r.requests]);
    expect(progress.every(([, total]) => total === r.requests || total === 1)).toBe(true);
  });

  it('gives the detectors the same input, point for point, split or not', async () => {
    const whole: { input?: ScanInput } = {};
    const split: { input?: ScanInput } = {};
    const a = fakeApi({ probeSeries: 10, value });
    const b = fakeApi({ probeSeries: 7000, value });
    await runScan({ ...month, api: a.api }, [captureDetector(whole)]);
    await runScan({ ...month, api: b.api }, [captureDetector(split)]);
    expect(b.calls.length).toBeGreaterThan(a.calls.length);
    expect(split.input!.grid).toEqual(whole.input!.grid);
    expect(split.input!.routes.length).toBe(2);
    expect(split.input!.routes).toEqual(whole.input!.routes);
    expect(split.input!.up).toEqual(whole.input!.up);
    expect(split.input!.targets).toEqual(whole.input!.targets);
    // Not NaN: every grid point was filled by exactly one piece (a doubled point would have summed to twice).
    const p95 = split.input!.routes[0].p95;
    expect(p95.every((v) => !Number.isNaN(v))).toBe(true);
  });

  it("reads Thanos's 5-minute blocks over a month when told the engine downsamples, with windows that allow them", async () => {
    const on = fakeApi({ probeSeries: 7000 });
    const seen: { input?: ScanInput } = {};
    const r = await runScan({ ...month, api: on.api, thanosDownsampling: true }, [captureDetector(seen)]);
    // The detectors count persistence and rate lag in the window the engine used, not the rule's 315 s.
    expect(seen.input!.rateWindowMs).toBe(600_000);
    expect(r.step).toBe(300_000);
    expect(r.downsampledSeconds).toBe(300);
    // Thanos reads a 5-minute block for rate() only with a window of two of its samples.
    expect(r.rateWindowSeconds).toBe(600);
    const reads = on.calls.filter((c) => c.role !== 'probe');
    expect(reads.length).toBeGreaterThan(9);
    for (const c of reads) {
      // Declared Thanos: its own engine as well (thanosEngine.ts).
      expect(c.params).toEqual({ engine: 'thanos', max_source_resolution: '5m' });
      expect(c.expr).not.toMatch(/\[315s\]/);
    }
    expect(reads.filter((c) => c.role === 'rate')[0].expr).toContain('[10m]');
    // The probe over the span asks for the blocks too; this engine has none (every window raw-dense), so the scrape
    // is the densest window's and every piece is budgeted as raw samples under the wider window.
    const probes = on.calls.filter((c) => c.role === 'probe');
    expect(probes.filter((c) => c.expr.includes('"series"')).map((c) => c.params)).toEqual([
      { engine: 'thanos', max_source_resolution: '5m' },
    ]);
    // Every other probe too: the engine does not depend on the resolution read.
    expect(probes.every((c) => c.params?.engine === 'thanos')).toBe(true);
    expect(seen.input!.scrapeIntervalMs).toBe(SCRAPE * 1000);
    for (const c of reads.filter((x) => x.role === 'p95')) {
      expect(estimatedSeconds(rawSeries(7000), points(c.range), 300, SCRAPE, 600)).toBeLessThanOrEqual(
        REQUEST_BUDGET_SECONDS + 1e-9
      );
    }
    const off = fakeApi({ probeSeries: 7000 });
    const rawSeen: { input?: ScanInput } = {};
    const raw = await runScan({ ...month, api: off.api }, [captureDetector(rawSeen)]);
    expect(rawSeen.input!.rateWindowMs).toBeUndefined();
    expect(raw.downsampledSeconds).toBeUndefined();
    expect(raw.rateWindowSeconds).toBe(315);
    expect(off.calls.every((c) => c.params === undefined)).toBe(true);
  });

  it('budgets the stretch where the probe found the downsampled blocks by their density, the raw tail as raw', async () => {
    const until = TO / 1000 - 3 * 86_400;
    const on = fakeApi({ probeSeries: 7000, downsampledUntil: until });
    const seen: { input?: ScanInput } = {};
    const r = await runScan({ ...month, api: on.api, thanosDownsampling: true }, [captureDetector(seen)]);
    // The raw windows after the blocks still give the scrape interval: no further probe.
    expect(seen.input!.scrapeIntervalMs).toBe(SCRAPE * 1000);
    expect(on.calls.filter((c) => c.role === 'probe')).toHaveLength(2);
    const p95 = on.calls.filter((c) => c.role === 'p95').map((c) => c.range);
    for (let k = 0; k < p95.length; k++) {
      const downsampledPiece = p95[k].end <= until;
      // Up to the hourly probe point where the blocks end, one sample per 5 minutes; after it, raw samples.
      const estimate = downsampledPiece
        ? estimatedSeconds(rawSeries(7000), points(p95[k]), 300, 300, 600, DOWNSAMPLED_SECONDS_PER_POINT)
        : estimatedSeconds(rawSeries(7000), points(p95[k]), 300, SCRAPE, 600);
      expect(estimate).toBeLessThanOrEqual(REQUEST_BUDGET_SECONDS + 1e-9);
      if (k > 0) {
        expect(p95[k].start).toBe(p95[k - 1].end + 300);
      }
    }
    expect(p95.some((p) => p.end <= until && p.end + 300 > until)).toBe(true);
    expect(p95[p95.length - 1].end).toBeGreaterThan(TO / 1000 - 300);
    // Several times fewer pieces than a budget as raw samples throughout.
    const raw = fakeApi({ probeSeries: 7000 });
    await runScan({ ...month, api: raw.api, thanosDownsampling: true }, []);
    expect(p95.length * 3).toBeLessThan(raw.calls.filter((c) => c.role === 'p95').length);
    expect(r.downsampledSeconds).toBe(300);
  });

  it('takes the scrape interval from the last raw hours when the probe found the blocks everywhere', async () => {
    const on = fakeApi({ probeSeries: 7000, downsampledUntil: TO / 1000 + 3600 });
    const seen: { input?: ScanInput } = {};
    await runScan({ ...month, api: on.api, thanosDownsampling: true }, [captureDetector(seen)]);
    const probes = on.calls.filter((c) => c.role === 'probe');
    // The recordings, the span downsampled (every window 2: a "300 s scrape"), then the last 6 hours raw.
    expect(probes).toHaveLength(3);
    expect(probes[2].params).toEqual({ engine: 'thanos' });
    expect(probes[2].range.end - probes[2].range.start).toBeLessThanOrEqual(6 * 3600 + 600);
    expect(seen.input!.scrapeIntervalMs).toBe(SCRAPE * 1000);
    const p95 = on.calls.filter((x) => x.role === 'p95');
    for (const c of p95) {
      expect(
        estimatedSeconds(rawSeries(7000), points(c.range), 300, 300, 600, DOWNSAMPLED_SECONDS_PER_POINT)
      ).toBeLessThanOrEqual(REQUEST_BUDGET_SECONDS + 1e-9);
    }
    const raw = fakeApi({ probeSeries: 7000 });
    await runScan({ ...month, api: raw.api, thanosDownsampling: true }, []);
    expect(p95.length * 3).toBeLessThan(raw.calls.filter((c) => c.role === 'p95').length);
  });

  it('asks the p95 and p99 as one read where Thanos is declared, and fills each as its own read would', async () => {
    const value = (route: string, role: Role, t: number) =>
      role === 'p99' ? 3 + (t % 7) : role === 'p95' ? (route.length % 3) + (t % 5) / 10 : 1;
    const together = fakeApi({ probeSeries: 7000, value });
    const apart = fakeApi({ probeSeries: 7000, value });
    const seen: { input?: ScanInput } = {};
    const expected: { input?: ScanInput } = {};
    await runScan({ ...month, api: together.api, thanosDownsampling: true }, [captureDetector(seen)]);
    // The same scan asked of an engine that is not declared Thanos, answering with the same data.
    await runScan({ ...month, api: apart.api }, [captureDetector(expected)]);
    const quantileReads = together.calls.filter((c) => c.role === 'p95' || c.role === 'p99');
    expect(quantileReads.length).toBeGreaterThan(1);
    for (const c of quantileReads) {
      expect(c.role).toBe('p95');
      expect(c.expr).toContain('histogram_quantile(0.99, ');
    }
    expect(apart.calls.some((c) => c.role === 'p99')).toBe(true);
    expect(apart.calls.every((c) => !c.expr.includes('"p99"'))).toBe(true);
    const routesOf = (x: { input?: ScanInput }) => x.input!.routes.map((r) => ({ p95: r.p95, p99: r.p99 }));
    expect(routesOf(seen)).toEqual(routesOf(expected));
    expect(routesOf(seen)[0].p99.some((v) => v >= 3)).toBe(true);
    expect(routesOf(seen)[0].p95.every((v) => Number.isNaN(v) || v < 3)).toBe(true);
  });

  it('keeps a week raw with downsampling on: its 1-minute grid is finer than any downsampled block', async () => {
    const week = fakeApi({ probeSeries: 10 });
    const r = await runScan(
      { ...base, from: TO - 7 * 86_400_000, to: TO, api: week.api, thanosDownsampling: true },
      []
    );
    expect(r.step).toBe(60_000);
    expect(r.downsampledSeconds).toBeUndefined();
    // No resolution asked for; Thanos's engine still, the data source being declared Thanos.
    expect(week.calls.every((c) => c.params?.max_source_resolution === undefined)).toBe(true);
    expect(week.calls.every((c) => c.params?.engine === 'thanos')).toBe(true);
  });

  it('stops asking for pieces when aborted', async () => {
    const fake = fakeApi({ probeSeries: 7000, delayMs: 2 });
    const controller = new AbortController();
    let total = 0;
    const p = runScan(
      {
        ...month,
        api: fake.api,
        signal: controller.signal,
        onProgress: (done, t) => {
          total = t;
          if (done === 5) {
            controller.abort();
          }
        },
      },
      []
    );
    await expect(p).rejects.toThrow();
    expect(total).toBeGreaterThan(10);
    expect(fake.calls.length).toBeLessThan(8);
  });

  it('reads the series count apart from the targets', () => {
    const p = readProbe([
      { metric: { job: 'j', instance: 'i:1' }, values: [[0, '40']] },
      {
        metric: { prefect_insights_part: 'series' },
        values: [
          [0, '12'],
          [600, '15'],
        ],
      },
    ]);
    expect(p.seriesCount).toBe(15);
    expect(p.targets.instances).toEqual(['i:1']);
    expect(p.scrapeSeconds).toBe(15);
  });
});

describe('the long-range recordings', () => {
  const month = { ...base, from: TO - 30 * 86_400_000, to: TO };
  // 12 points an hour: a 5-minute rule interval.
  const everywhere = { points: () => 12, series: 2 };

  it('are read when they cover the span at an interval no coarser than the step, and every episode says so', async () => {
    const a = fakeApi({ probeSeries: 7000, recorded: everywhere });
    const found: Detector = {
      id: 'api-outage',
      detect: (input) => [
        ep('api-outage', 'critical', input.grid.start + 3600_000 * 7, input.grid.start + 3600_000 * 8),
      ],
    };
    const r = await runScan({ ...month, api: a.api }, [found]);
    expect(r.source).toBe('recording-rules');
    expect(r.resolutionSeconds).toBe(300);
    expect(r.recordedIntervalSeconds).toBe(300);
    // The recordings' own windows are the rules' (prefect-insights rules), not the scan's.
    expect(r.rateWindowSeconds).toBeUndefined();
    const p95 = a.calls.filter((c) => c.role === 'p95');
    // A month of recordings is a small read: one request per query, where the raw month needed many.
    expect(p95).toHaveLength(1);
    expect(p95[0].expr).toBe(
      'histogram_quantile(0.95, sum by (le, http_route) (last_over_time(route_le:prefect_api_request_duration_seconds_bucket:rate_long[5m])))'
    );
    expect(a.calls.find((c) => c.role === 'targets')!.expr).toContain(
      'sum by (instance) (last_over_time(instance:prefect_api_request_duration_seconds_count:rate_long[5m]))'
    );
    expect(
      a.calls.filter((c) => c.role !== 'probe').every((c) => !c.expr.includes('_bucket{') && !c.expr.includes('rate('))
    ).toBe(true);
    expect(r.recordedQuantiles).toBe(false);
    expect(r.sourceNote).toBe('the per-route quantile recordings are not loaded');
    expect(r.episodes[0].evidence.readFrom).toBe(
      'read from recording rules at 5-minute resolution, quantiles computed from the recorded buckets ' +
        '(the per-route quantile recordings are not loaded)'
    );
  });

  it('read the recorded quantiles where a new rule file covers the span, one series per route and quantile', async () => {
    const a = fakeApi({ probeSeries: 7000, recorded: everywhere, recordedQuantiles: () => 12 });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.source).toBe('recording-rules');
    expect(r.recordedQuantiles).toBe(true);
    expect(r.sourceNote).toBeUndefined();
    const quantiles = a.calls.filter((c) => c.role === 'p50' || c.role === 'p95' || c.role === 'p99');
    expect(quantiles.map((c) => c.expr)).toEqual([
      'last_over_time(route:prefect_api_request_duration_seconds:p95_long[5m])',
      'last_over_time(route:prefect_api_request_duration_seconds:p99_long[5m])',
      // The median last, where the recorded tail share reaches the tail estimate's minimum.
      'last_over_time(route:prefect_api_request_duration_seconds:p50_long[5m]) and on (http_route) ' +
        '((1 - (sum by (http_route) (last_over_time(route_le:prefect_api_request_duration_seconds_bucket:rate_long' +
        '{le=~"(120|1\\\\.2e\\\\+2|1\\\\.2e\\\\+02|120\\\\.0)"}[5m])) / sum by (http_route) ' +
        '(last_over_time(route:prefect_api_request_duration_seconds_count:rate_long[5m])))) >= 0.01)',
    ]);
    // No query computes a quantile from buckets any more; the slow share still reads one recorded bucket.
    expect(a.calls.some((c) => c.expr.includes('histogram_quantile'))).toBe(false);
    expect(a.calls.find((c) => c.role === 'slowShare')!.expr).toContain('le=~');
    // The first probe asked for each quantile by name.
    for (const n of ['p50', 'p95', 'p99']) {
      expect(a.calls[0].expr).toContain(`count_over_time(route:prefect_api_request_duration_seconds:${n}_long[1h])`);
    }
  });

  it("probe the recordings first, then only the span's last 6 hours of raw samples and the series index", async () => {
    const labels = (instance: string) => ({
      __name__: 'prefect_server_api_request_duration_seconds_count',
      job: 'prefect-server',
      instance,
    });
    const a = fakeApi({
      probeSeries: 7000,
      recorded: everywhere,
      recordedQuantiles: () => 12,
      // A replica that served in the first week only: no raw sample in the last 6 hours, still a target.
      seriesLabels: [labels('p:4200'), labels('gone:4200')],
    });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.source).toBe('recording-rules');
    const probes = a.calls.filter((c) => c.role === 'probe');
    expect(probes).toHaveLength(2);
    // The first reads the recordings only, hourly over the span; the second the raw histogram over the last 6 h.
    expect(RAW_PROBED.test(probes[0].expr)).toBe(false);
    expect(probes[0].range.step).toBe(3600);
    expect(probes[0].range.start).toBeLessThanOrEqual(month.from / 1000 - LOOKBACK_SECONDS);
    expect(RAW_PROBED.test(probes[1].expr)).toBe(true);
    expect(probes[1].range.step).toBe(600);
    expect(probes[1].range.start).toBeGreaterThanOrEqual(TO / 1000 - 6 * 3600 - 600);
    expect(probes[1].range.end).toBeGreaterThanOrEqual(TO / 1000);
    // The targets of the whole span come from the index (one call), so the gone replica's `up` is read too.
    expect(a.seriesCalls).toEqual([
      {
        matchers: ['prefect_server_api_request_duration_seconds_count{job="prefect-server"}'],
        start: month.from / 1000 - LOOKBACK_SECONDS,
        end: TO / 1000,
      },
    ]);
    expect(a.calls.find((c) => c.role === 'targets')!.expr).toContain('gone:4200');
    expect(r.requests).toBe(a.calls.length + a.seriesCalls.length);
  });

  it('probe the raw histogram over the whole span when its last 6 hours hold no sample', async () => {
    const a = fakeApi({
      probeSeries: 7000,
      recorded: everywhere,
      recordedQuantiles: () => 12,
      rawUntil: TO / 1000 - 7 * 3600,
    });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.source).toBe('recording-rules');
    expect(r.noData).toBeUndefined();
    const probes = a.calls.filter((c) => c.role === 'probe');
    expect(probes).toHaveLength(3);
    expect(probes[2].range).toEqual(probes[0].range);
    expect(RAW_PROBED.test(probes[2].expr)).toBe(true);
    expect(a.seriesCalls).toHaveLength(0);
  });

  it("fold two copies of a route's recorded quantile with max, never a sum (read without `by route`)", async () => {
    // Two servers recording the same rules, read without deduplication: each route answers twice.
    const sink: { input?: ScanInput } = {};
    const a = fakeApi({
      probeSeries: 7000,
      recorded: everywhere,
      recordedQuantiles: () => 12,
      routes: ['/api/health', '/api/health'],
      value: (_route, role) => (role === 'p95' ? 0.25 : 1),
    });
    await runScan({ ...month, api: a.api }, [captureDetector(sink)]);
    const p95 = sink.input!.routes[0].p95;
    expect(p95[p95.length - 1]).toBe(0.25);
    // The rates are summed as before (the copies' server-side `sum by` would have done the same).
    const rate = sink.input!.routes[0].rate;
    expect(rate[rate.length - 1]).toBe(2);
  });

  it('read a share as its slow rate over the rate read, and ask the median where the share reaches the minimum', async () => {
    // Every point a slow rate of 4 × 0.005 = 0.02 a second, above the tail estimate's minimum share (0.01) as a
    // number: only the share says where the median is needed, one point, where it is 4 × 0.05.
    const tailAt = TO / 1000 - 86_400;
    const share = (t: number) => (Math.abs(t - tailAt) < 1 ? 0.05 : 0.005);
    const sink: { input?: ScanInput } = {};
    const a = fakeApi({
      probeSeries: 7000,
      recorded: everywhere,
      recordedQuantiles: () => 12,
      routes: ['/api/flow_runs/filter', '/api/flow_runs/filter'],
      value: (_route, role, t) =>
        role === 'rate' ? 2 : role === 'slowShare' || role === 'tailShare' ? share(t) : role === 'p50' ? 0.3 : 0.01,
    });
    await runScan({ ...month, api: a.api }, [captureDetector(sink)]);
    for (const role of ['slowShare', 'tailShare'] as const) {
      const read = a.calls.find((c) => c.role === role)!.expr;
      expect(read).toMatch(
        /^\(last_over_time\(route:prefect_api_request_duration_seconds_count:rate_long\[5m\]\) - ignoring \(le\) group_right last_over_time\(route_le:prefect_api_request_duration_seconds_bucket:rate_long\{le=~".*"\}\[5m\]\)\) != 0$/
      );
    }
    // Two copies of the route: slow rates and rates summed, then divided, the share itself.
    const r = sink.input!.routes[0];
    const { grid } = sink.input!;
    const i = (tailAt * 1000 - grid.start) / grid.step;
    expect(Number.isInteger(i)).toBe(true);
    expect(r.rate[i]).toBe(4);
    expect(r.tailShare[i]).toBeCloseTo(0.05, 12);
    expect(r.slowShare[i - 1]).toBeCloseTo(0.005, 12);
    const p50 = a.calls.filter((c) => c.role === 'p50');
    expect(p50).toHaveLength(1);
    expect(p50[0].range).toEqual({ start: tailAt, end: tailAt, step: 300 });
    // The sparse reads (5xx, slow and tail) are asked first, so Prometheus evaluates them while the dense answers
    // are parsed here.
    const reads = a.calls.filter((c) => c.role !== 'probe');
    expect(reads.slice(0, 3).map((c) => c.role)).toEqual(['errorRate', 'slowShare', 'tailShare']);
  });

  it('read the recorded buckets when the quantile recordings cover only part of the span, and say why', async () => {
    const since = TO / 1000 - 3 * 86400;
    const a = fakeApi({
      probeSeries: 7000,
      recorded: everywhere,
      recordedQuantiles: (t) => (t >= since ? 12 : undefined),
    });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.source).toBe('recording-rules');
    expect(r.recordedQuantiles).toBe(false);
    expect(r.sourceNote).toBe('the per-route quantile recordings cover only part of the range');
    expect(a.calls.find((c) => c.role === 'p95')!.expr).toContain('histogram_quantile(0.95, sum by (le, http_route)');
  });

  it('read the recorded buckets, not a bound from the recorded quantiles, at a step coarser than their interval', async () => {
    // 1-minute rules under a month's 5-minute step: the recorded p95 of one minute is not the step's p95.
    const a = fakeApi({ probeSeries: 7000, recorded: { points: () => 60, series: 2 }, recordedQuantiles: () => 60 });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.source).toBe('recording-rules');
    expect(r.recordedIntervalSeconds).toBe(60);
    expect(r.recordedQuantiles).toBe(false);
    expect(r.sourceNote).toBe('quantiles recorded at 1-minute resolution cannot be averaged over the 5-minute step');
    expect(a.calls.find((c) => c.role === 'p99')!.expr).toBe(
      'histogram_quantile(0.99, sum by (le, http_route) (avg_over_time(route_le:prefect_api_request_duration_seconds_bucket:rate_long[299999ms])))'
    );
  });

  it('are not read over a range whose step is finer than their interval', async () => {
    const a = fakeApi({ recorded: everywhere });
    const r = await runScan({ ...base, api: a.api }, []);
    expect(r.source).toBe('raw');
    expect(r.resolutionSeconds).toBe(15);
    // The window every raw rate() was given, as the queries themselves say it.
    expect(r.rateWindowSeconds).toBeGreaterThan(0);
    expect(a.calls.find((c) => c.role === 'p95')!.expr).toContain(`[${r.rateWindowSeconds}s]`);
    expect(r.sourceNote).toBe(
      "the range is read at 15-second resolution, finer than the recording rules' 5-minute interval"
    );
    expect(a.calls.some((c) => c.role !== 'probe' && c.expr.includes(':rate_long'))).toBe(false);
  });

  it('are not read when they cover only part of the span, and the raw read says why', async () => {
    const since = TO / 1000 - 10 * 86400;
    const a = fakeApi({ probeSeries: 40, recorded: { points: (t) => (t >= since ? 12 : undefined), series: 2 } });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.source).toBe('raw');
    expect(r.sourceNote).toBe('the long-range recording rules cover only part of the range');
    expect(a.calls.find((c) => c.role === 'p95')!.expr).toContain(
      'rate(prefect_server_api_request_duration_seconds_bucket'
    );
  });

  it('are not read across a gap of an hour inside the span', async () => {
    const gap = TO / 1000 - 5 * 86400;
    const a = fakeApi({
      probeSeries: 40,
      recorded: { points: (t) => (t > gap && t <= gap + 3600 ? 0 : 12), series: 2 },
    });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.source).toBe('raw');
  });

  it('are said to be absent when the probe found none', async () => {
    const a = fakeApi({ probeSeries: 40 });
    const r = await runScan({ ...month, api: a.api }, []);
    expect(r.source).toBe('raw');
    expect(r.sourceNote).toBe('the long-range recording rules are not loaded');
    expect(a.calls[0].expr).toContain(
      'count_over_time(route:prefect_api_request_duration_seconds_count:rate_long[1h])'
    );
  });
});

describe('runScan', () => {
  it('asks a fixed number of requests on one shared range, whatever the detectors', async () => {
    const a = fakeApi();
    const r1 = await runScan({ ...base, api: a.api }, []);
    const b = fakeApi();
    const many = Array.from({ length: 9 }, () => captureDetector({}));
    const r2 = await runScan({ ...base, api: b.api }, many);
    expect(r1.requests).toBe(a.calls.length);
    expect(r2.requests).toBe(r1.requests);
    // probe + p50/p95/p99/mean/rate/5xx/slow share/tail share + up
    expect(r1.requests).toBe(10);
    const ranges = new Set(a.calls.filter((c) => c.role !== 'probe').map((c) => JSON.stringify(c.range)));
    expect(ranges.size).toBe(1);
    expect(a.calls.map((c) => c.role).sort()).toEqual(
      ['probe', 'targets', 'p50', 'p95', 'p99', 'mean', 'rate', 'errorRate', 'slowShare', 'tailShare'].sort()
    );
  });

  it('builds a grid at the scrape interval with the 6 h look-back before the range', async () => {
    const sink: { input?: ScanInput } = {};
    const { api, calls } = fakeApi();
    const result = await runScan({ ...base, api }, [captureDetector(sink)]);
    const input = sink.input!;
    expect(result.step).toBe(SCRAPE * 1000);
    expect(input.grid.step).toBe(SCRAPE * 1000);
    expect(input.scrapeIntervalMs).toBe(SCRAPE * 1000);
    expect(input.grid.start).toBeLessThanOrEqual(FROM - LOOKBACK_SECONDS * 1000);
    expect(input.grid.start + input.rangeStartIndex * input.grid.step).toBe(FROM);
    expect(input.grid.start + (input.grid.length - 1) * input.grid.step).toBe(TO);
    const range = calls.find((c) => c.role === 'p95')!.range;
    expect(range.step).toBe(SCRAPE);
    expect(range.start * 1000).toBe(input.grid.start);
    expect(input.largestBucket).toBe(120);
    expect(input.settings).toBe(DEFAULT_PREFECT_SETTINGS);
    expect(input.up.every((v) => v === 1)).toBe(true);
    // One replica: its own up and request rate, from the same request.
    expect(input.targets).toHaveLength(1);
    expect(input.targets![0].instance).toBe('p:4200');
    expect(input.targets![0].rate.every((v) => v === 2)).toBe(true);
  });

  it('keeps the step within 11,000 points on long ranges', async () => {
    const sink: { input?: ScanInput } = {};
    const { api, calls } = fakeApi({ routes: ['/api/health'] });
    await runScan({ ...base, api, from: TO - 7 * 86_400_000 }, [captureDetector(sink)]);
    for (const c of calls) {
      expect((c.range.end - c.range.start) / c.range.step + 1).toBeLessThanOrEqual(11_000);
    }
    expect(sink.input!.grid.length).toBeLessThanOrEqual(11_000);
  });

  it('fills each route series from its query and merges raw paths of one template', async () => {
    const sink: { input?: ScanInput } = {};
    const roleValue: Record<string, number> = {
      p50: 0.1,
      p95: 0.5,
      p99: 0.9,
      mean: 0.2,
      errorRate: 0.01,
      slowShare: 0.02,
      tailShare: 0.1,
    };
    const { api } = fakeApi({
      routes: ['/api/flow_runs/11/set_state', '/flow_runs/22/set_state', '/api/health'],
      value: (route, role, t) => {
        if (route === '/api/health' && role === 'p95' && t === TO / 1000) {
          return undefined;
        }
        const scale = route.includes('22') ? 3 : 1;
        return role === 'rate' ? scale : (roleValue[role] ?? 0) * scale;
      },
    });
    await runScan({ ...base, api }, [captureDetector(sink)]);
    const routes = sink.input!.routes;
    expect(routes.map((r) => r.route)).toEqual(['/flow_runs/{id}/set_state', '/health']);
    const setState = routes[0];
    expect(setState.rate[0]).toBeCloseTo(4);
    expect(setState.p95[0]).toBeCloseTo(1.5);
    expect(setState.errorRate[0]).toBeCloseTo(0.04);
    // rate-weighted: (0.2·1 + 0.6·3) / 4
    expect(setState.mean[0]).toBeCloseTo(0.5);
    // shares are rate-weighted too: (0.02·1 + 0.06·3) / 4 and (0.1·1 + 0.3·3) / 4
    expect(setState.slowShare[0]).toBeCloseTo(0.05);
    expect(setState.tailShare[0]).toBeCloseTo(0.25);
    const health = routes[1];
    expect(health.p95[health.p95.length - 1]).toBeNaN();
    expect(health.p95[0]).toBeCloseTo(0.5);
  });

  describe('the share above the largest bucket', () => {
    const shares = (route: string, role: Role) => (role === 'rate' ? 1 : role === 'slowShare' ? 0.03 : 0.2);

    it("takes the slow share's place when the buckets stop far below the timeout (OpenTelemetry's 10 s)", async () => {
      const sink: { input?: ScanInput } = {};
      const otel: ResolvedMetric = { ...METRIC, buckets: [0.005, 0.1, 1, 2.5, 5, 7.5, 10] };
      const { api, calls } = fakeApi({ largestBound: 10, value: shares });
      const result = await runScan({ ...base, metric: otel, api }, [captureDetector(sink)]);
      expect(result.requests).toBe(9);
      const roles = calls.map((c) => c.role);
      expect(roles).toContain('tailShare');
      expect(roles).not.toContain('slowShare');
      const r = sink.input!.routes[0];
      expect(r.tailShare[0]).toBeCloseTo(0.2);
      expect(r.slowShare.every((v) => Number.isNaN(v))).toBe(true);
      expect(sink.input!.largestBucket).toBe(10);
    });

    it('costs no request when the slow share is already counted at the largest bound', async () => {
      const sink: { input?: ScanInput } = {};
      const upTo60: ResolvedMetric = { ...METRIC, buckets: [0.1, 1, 10, 30, 60] };
      const { api, calls } = fakeApi({ largestBound: 60, value: (_route, role) => (role === 'rate' ? 1 : 0.07) });
      const result = await runScan({ ...base, metric: upTo60, api }, [captureDetector(sink)]);
      expect(result.requests).toBe(9);
      expect(calls.filter((c) => c.role === 'slowShare' || c.role === 'tailShare')).toHaveLength(1);
      const r = sink.input!.routes[0];
      expect(r.slowShare[0]).toBeCloseTo(0.07);
      expect(r.tailShare[0]).toBeCloseTo(0.07);
    });

    it('is unknown (NaN) for native histograms, without a request', async () => {
      const sink: { input?: ScanInput } = {};
      const native: ResolvedMetric = { ...METRIC, kind: 'native', buckets: [] };
      const { api, calls } = fakeApi({ value: shares });
      const result = await runScan({ ...base, metric: native, api }, [captureDetector(sink)]);
      // probe + p95/p99/mean/rate/5xx + slow share (histogram_fraction) + targets (rate and up by instance); no
      // median, which only the tail estimate reads
      expect(result.requests).toBe(8);
      expect(calls.map((c) => c.role)).not.toContain('p50');
      expect(sink.input!.routes[0].p50.every((v) => Number.isNaN(v))).toBe(true);
      expect(calls.filter((c) => c.expr.includes('histogram_fraction'))).toHaveLength(1);
      // Its denominator is not the rate query's: read densely.
      expect(calls.find((c) => c.expr.includes('histogram_fraction'))!.expr).not.toContain('!= 0');
      expect(sink.input!.routes[0].tailShare.every((v) => Number.isNaN(v))).toBe(true);
      expect(sink.input!.largestBucket).toBeNull();
    });
  });

  it('leaves up as NaN and asks only for the rate by instance when the series carry no job', async () => {
    const sink: { input?: ScanInput } = {};
    const fake = fakeApi();
    const api: PrometheusApi = {
      ...fake.api,
      queryRange: async (expr, range, opts) => {
        const res = await fake.api.queryRange(expr, range, opts);
        return roleOf(expr) === 'probe' ? res.map((s) => ({ ...s, metric: {} })) : res;
      },
    };
    const result = await runScan({ ...base, api }, [captureDetector(sink)]);
    const targets = fake.calls.filter((c) => c.role === 'targets');
    expect(targets).toHaveLength(1);
    expect(targets[0].expr).not.toContain('up{');
    expect(result.requests).toBe(10);
    expect(sink.input!.up.every((v) => Number.isNaN(v))).toBe(true);
  });

  it('collects the warnings of its answers once each (a partial answer from a cluster is never silent)', async () => {
    const fake = fakeApi();
    const api: PrometheusApi = {
      ...fake.api,
      queryRange: async (expr, range, opts) => {
        opts?.onWarning?.('partial data');
        return fake.api.queryRange(expr, range, opts);
      },
    };
    const result = await runScan({ ...base, api }, []);
    expect(result.warnings).toEqual(['partial data']);
    const clean = await runScan({ ...base, api: fakeApi().api }, []);
    expect(clean.warnings).toEqual([]);
  });

  it('asks for the up of the probed job and instance only', async () => {
    const { api, calls } = fakeApi();
    await runScan({ ...base, api }, []);
    const up = calls.find((c) => c.role === 'targets')!.expr;
    expect(up).toContain('job="prefect-server"');
    expect(up).toContain('instance="p:4200"');
  });

  it('returns nothing after one request when the metric has no samples in range', async () => {
    const { api } = fakeApi({ probeCount: 0 });
    const detector = { id: 'api-outage' as const, detect: jest.fn(() => []) };
    const result = await runScan({ ...base, api }, [detector]);
    expect(result.requests).toBe(1);
    expect(result.episodes).toEqual([]);
    expect(detector.detect).not.toHaveBeenCalled();
    expect(result.noData).toBe('no data for prefect_server_api_request_duration_seconds in range');
  });

  it('says no data when the samples stop before the range (only the look-back has them)', async () => {
    const { api } = fakeApi({ value: (_route, _role, t) => (t * 1000 < FROM ? 1 : undefined) });
    const result = await runScan({ ...base, api }, []);
    expect(result.episodes).toEqual([]);
    expect(result.noData).toBe('no data for prefect_server_api_request_duration_seconds in range');
    const idle = await runScan({ ...base, api: fakeApi({ value: () => 0 }).api }, []);
    expect(idle.noData).toBeUndefined();
  });

  it('keeps infos apart from warnings, each capped', async () => {
    const fake = fakeApi();
    const api: PrometheusApi = {
      ...fake.api,
      queryRange: async (expr, range, opts) => {
        opts?.onWarning?.('fixed for monotonicity', 'info');
        opts?.onWarning?.(`warning of ${roleOf(expr)}`);
        return fake.api.queryRange(expr, range, opts);
      },
    };
    const result = await runScan({ ...base, api }, []);
    expect(result.infos).toEqual(['fixed for monotonicity']);
    expect(result.warnings.length).toBeLessThanOrEqual(11);
    expect(result.warnings).toContain('warning of probe');
  });

  it('keeps at most two requests in flight and reports progress up to the total', async () => {
    const fake = fakeApi({ delayMs: 5 });
    const progress: Array<[number, number]> = [];
    const result = await runScan({ ...base, api: fake.api, onProgress: (d, t) => progress.push([d, t]) }, []);
    expect(fake.maxInFlight()).toBeLessThanOrEqual(2);
    expect(fake.maxInFlight()).toBe(2);
    expect(progress[progress.length - 1]).toEqual([result.requests, result.requests]);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0]);
    }
  });

  it('stops asking when aborted', async () => {
    const fake = fakeApi({ delayMs: 5 });
    const controller = new AbortController();
    const p = runScan(
      {
        ...base,
        api: fake.api,
        signal: controller.signal,
        onProgress: (done) => {
          if (done === 2) {
            controller.abort();
          }
        },
      },
      []
    );
    await expect(p).rejects.toThrow();
    expect(fake.calls.length).toBeLessThan(9);
  });

  it('rejects an empty or inverted range', async () => {
    const { api, calls } = fakeApi();
    await expect(runScan({ ...base, api, from: TO, to: FROM }, [])).rejects.toThrow(RangeError);
    expect(calls).toHaveLength(0);
  });

  it('drops explained and out-of-range episodes and sorts the rest', async () => {
    const { api } = fakeApi();
    const m = 60_000;
    const detectors: Detector[] = [
      {
        id: 'runs-page-slow',
        detect: () => [
          ep('runs-page-slow', 'warning', FROM + 10 * m, FROM + 20 * m),
          ep('runs-page-slow', 'warning', FROM - 3 * 3600_000, FROM - 2 * 3600_000),
        ],
      },
      { id: 'db-pool-exhaustion', detect: () => [ep('db-pool-exhaustion', 'critical', FROM + 5 * m, FROM + 25 * m)] },
      {
        id: 'api-overload-http-500',
        detect: () => [ep('api-overload-http-500', 'warning', FROM + 5 * m, FROM + 8 * m)],
      },
      { id: 'api-outage', detect: () => [ep('api-outage', 'warning', FROM + 50 * m, FROM + 55 * m)] },
    ];
    const result = await runScan({ ...base, api }, detectors);
    expect(result.episodes.map((e) => e.id)).toEqual(['db-pool-exhaustion', 'api-overload-http-500', 'api-outage']);
  });
});

describe('scrapeIntervalFromCounts', () => {
  it('snaps to common scrape intervals and handles sparse data', () => {
    expect(scrapeIntervalFromCounts(40, 600)).toBe(15);
    expect(scrapeIntervalFromCounts(41, 600)).toBe(15);
    expect(scrapeIntervalFromCounts(11, 600)).toBe(60);
    expect(scrapeIntervalFromCounts(601, 600)).toBe(1);
    expect(scrapeIntervalFromCounts(14, 600)).toBe(43);
    expect(scrapeIntervalFromCounts(1, 600)).toBeNull();
    expect(scrapeIntervalFromCounts(0, 600)).toBeNull();
  });
});

describe('series younger than the probe windows', () => {
  const stepOf = async (young: { born: number; every: number }) => {
    const a = fakeApi({ young });
    const r = await runScan({ ...base, api: a.api }, []);
    return { r, a };
  };

  // A pushed server restarted 283 s before the range's end, pushing every 5 s: its only 10-minute window holds 57
  // samples, which the first probe reads as a 10 s interval (and a step of 10 s).
  it('probes again with 2-minute windows and reads the push interval from the whole ones', async () => {
    const { r, a } = await stepOf({ born: TO / 1000 - 283, every: 5 });
    const probes = a.calls.filter((c) => c.role === 'probe');
    expect(probes.map((c) => /\[(\w+)\]/.exec(c.expr)![1])).toEqual(['10m', '2m']);
    expect(probes[1].range.step).toBe(120);
    expect(r.requests).toBe(a.calls.length);
    // The step of a server pushing every 5 s for hours, not the 10 s the first probe read.
    const old = await runScan({ ...base, api: fakeApi({ young: { born: 0, every: 5 } }).api }, []);
    expect(r.step).toBe(old.step);
  });

  it('keeps the first reading, and says so, when even the 2-minute windows are all partial', async () => {
    const { r, a } = await stepOf({ born: TO / 1000 - 150, every: 5 });
    expect(a.calls.filter((c) => c.role === 'probe')).toHaveLength(2);
    expect((r.infos ?? []).join(' ')).toMatch(
      /younger than 6 minutes: its \d+-second interval is read from partial windows/
    );
  });

  it('asks nothing more when a series lived through a whole 10-minute window', async () => {
    const { a } = await stepOf({ born: TO / 1000 - 3 * 3600, every: 5 });
    expect(a.calls.filter((c) => c.role === 'probe')).toHaveLength(1);
  });
});

describe('runScan failures', () => {
  it('stops asking Prometheus after a request fails', async () => {
    const fake = fakeApi({ delayMs: 2 });
    let n = 0;
    const api: PrometheusApi = {
      ...fake.api,
      queryRange: async (expr, range, opts) => {
        n++;
        if (n === 2) {
          throw new Error('boom');
        }
        return fake.api.queryRange(expr, range, opts);
      },
    };
    await expect(runScan({ ...base, api }, [])).rejects.toThrow('boom');
    // probe, the failing query, and at most the one already in flight beside it
    expect(n).toBeLessThanOrEqual(3);
  });
});

describe('recordedCoverage', () => {
  const probe = { start: 0, end: 86_400, step: 600 };
  const every = (f: (t: number) => number | undefined) => {
    const m = new Map<number, number>();
    for (let t = probe.start; t <= probe.end; t += probe.step) {
      const v = f(t);
      if (v !== undefined) {
        m.set(t, v);
      }
    }
    return m;
  };

  it('names the interval from the densest hour and covers a span recorded throughout', () => {
    expect(
      recordedCoverage(
        every(() => 12),
        probe,
        0,
        86_400
      )
    ).toEqual({ intervalSeconds: 300, covers: true });
    expect(
      recordedCoverage(
        every(() => 61),
        probe,
        0,
        86_400
      )
    ).toEqual({ intervalSeconds: 60, covers: true });
  });

  it('does not cover a span the recordings start inside, or one with a missing hour', () => {
    expect(
      recordedCoverage(
        every((t) => (t >= 7200 ? 12 : undefined)),
        probe,
        0,
        86_400
      ).covers
    ).toBe(false);
    expect(
      recordedCoverage(
        every((t) => (t > 40_000 && t <= 43_600 ? 0 : 12)),
        probe,
        0,
        86_400
      ).covers
    ).toBe(false);
    // …but covers the part after the start.
    expect(
      recordedCoverage(
        every((t) => (t >= 7200 ? 12 : undefined)),
        probe,
        7200,
        86_400
      ).covers
    ).toBe(true);
  });

  it('finds nothing without recordings', () => {
    expect(recordedCoverage(new Map(), probe, 0, 86_400)).toEqual({ intervalSeconds: null, covers: false });
  });
});

describe('sparse reads', () => {
  const T0 = FROM / 1000 - LOOKBACK_SECONDS;
  it('leave out the points that are exactly 0 and put them back where the dense read had them', async () => {
    const sink: { input?: ScanInput } = {};
    const a = fakeApi({
      routes: ['/api/a', '/api/b'],
      value: (route, role, t) => {
        const k = (t - T0) / SCRAPE;
        if (role === 'rate') {
          // /api/b serves nothing at its first points: its shares there are 0/0 (NaN), its 5xx rate a 0.
          return route === '/api/b' && k < 10 ? 0 : 2;
        }
        if (role === 'errorRate') {
          return route === '/api/a' && k === 20 ? 0.5 : 0;
        }
        if (role === 'slowShare' || role === 'tailShare') {
          if (route === '/api/b' && k < 10) {
            return NaN;
          }
          return route === '/api/a' && k === 30 ? 0.25 : 0;
        }
        return 0.1;
      },
    });
    await runScan({ ...base, api: a.api }, [captureDetector(sink)]);
    for (const role of ['errorRate', 'slowShare', 'tailShare'] as const) {
      expect(a.calls.find((c) => c.role === role)!.expr).toMatch(/\) != 0$/);
    }
    const [ra, rb] = sink.input!.routes;
    expect(ra.errorRate[20]).toBe(0.5);
    expect(ra.errorRate[21]).toBe(0);
    expect(rb.errorRate[0]).toBe(0);
    expect(ra.slowShare[30]).toBe(0.25);
    expect(ra.tailShare[30]).toBe(0.25);
    expect(ra.slowShare[31]).toBe(0);
    expect(rb.slowShare[5]).toBeNaN();
    expect(rb.tailShare[5]).toBeNaN();
    expect(rb.tailShare[10]).toBe(0);
    // The rate has a value at every point of the grid: every 5xx point is the one non-zero value or a 0.
    expect(ra.errorRate.every((v) => v === 0 || v === 0.5)).toBe(true);
  });

  it("read the median only where the tail share reaches the tail estimate's minimum, all of it where labels merge", async () => {
    const tail = (t: number) => (((t - T0) / SCRAPE) % 4 === 0 ? 0.02 : 0.005);
    const value = (_route: string, role: Role, t: number) =>
      role === 'tailShare' ? tail(t) : role === 'rate' ? 1 : role === 'p50' ? 0.3 : 0.01;
    const sink: { input?: ScanInput } = {};
    const one = fakeApi({ routes: ['/api/a', '/api/b'], value });
    await runScan({ ...base, api: one.api }, [captureDetector(sink)]);
    const p50 = one.calls.filter((c) => c.role === 'p50');
    expect(p50).toHaveLength(1);
    expect(one.calls[one.calls.length - 1].role).toBe('p50');
    expect(p50[0].expr).toContain(' and on (http_route) (');
    const r = sink.input!.routes[0];
    expect(r.p50[0]).toBe(0.3);
    expect(r.p50[1]).toBeNaN();
    expect(r.p50[4]).toBe(0.3);
    // Two raw labels of one template: the folded median needs both everywhere.
    const merged = fakeApi({ routes: ['/api/flow_runs/11/set_state', '/flow_runs/22/set_state'], value });
    await runScan({ ...base, api: merged.api }, [captureDetector(sink)]);
    expect(merged.calls.find((c) => c.role === 'p50')!.expr).not.toContain(' and on ');
    expect(sink.input!.routes[0].p50[1]).toBe(0.3);
  });

  it("divide the mean's numerator by the rate they read anyway, in seconds, as Prometheus's division would", async () => {
    const sink: { input?: ScanInput } = {};
    const ms: ResolvedMetric = { ...METRIC, unit: 'milliseconds' };
    const a = fakeApi({
      routes: ['/api/a'],
      value: (_route, role, t) => {
        const k = (t - T0) / SCRAPE;
        // the mean in the metric's unit (ms); the fake serves its numerator as mean × rate
        return role === 'rate' ? (k === 0 ? 0 : 4) : role === 'mean' ? 250 : 0.01;
      },
    });
    await runScan({ ...base, metric: ms, api: a.api }, [captureDetector(sink)]);
    const mean = a.calls.find((c) => c.role === 'mean')!.expr;
    expect(mean).toContain('_sum');
    expect(mean).not.toContain(' / ');
    const r = sink.input!.routes[0];
    expect(r.mean[1]).toBe(0.25);
    // 0 requests: 0/0, NaN, as Prometheus answers it
    expect(r.mean[0]).toBeNaN();
  });

  it('ask no median where no tail reaches the minimum, and only over the span where one does', async () => {
    const month = { ...base, from: TO - 30 * 86_400_000, to: TO };
    const tailAt = TO / 1000 - 86_400;
    const value = (tail: boolean) => (_route: string, role: Role, t: number) =>
      role === 'tailShare' || role === 'slowShare' ? (tail && Math.abs(t - tailAt) < 1 ? 0.05 : 0) : 1;
    const progress: Array<[number, number]> = [];
    const quiet = fakeApi({ probeSeries: 7000, value: value(false) });
    const r = await runScan({ ...month, api: quiet.api, onProgress: (d, t) => progress.push([d, t]) }, []);
    expect(quiet.calls.filter((c) => c.role === 'p95').length).toBeGreaterThan(1);
    expect(quiet.calls.map((c) => c.role)).not.toContain('p50');
    expect(r.requests).toBe(quiet.calls.length);
    expect(progress[progress.length - 1]).toEqual([r.requests, r.requests]);
    const one = fakeApi({ probeSeries: 7000, value: value(true) });
    await runScan({ ...month, api: one.api }, []);
    const p50 = one.calls.filter((c) => c.role === 'p50');
    expect(p50).toHaveLength(1);
    // Narrowed to the one point where the tail reaches the minimum, on the scan's grid.
    expect(p50[0].range).toEqual({ start: tailAt, end: tailAt, step: 300 });
  });
});
