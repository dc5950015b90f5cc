/** @jest-environment node */
// OTLP pushed into a real Prometheus 3 receiver, under each translation strategy, for the catalog's instrument and
// OpenTelemetry's: Save & test must name the metric as that strategy writes it (with or without the unit suffix,
// dotted or underscored, dotted label names), and p95 and rate by route, through the data source's real code path,
// must match the simulator's ground truth. Exponential histograms arrive as native histograms: quantile, mean, rate
// and slow-share queries are checked on them too.
import type { DataFrame } from '@grafana/data';
import type { PrefectQuery } from '../../../src/datasource/types';
import { pushOtlp } from '../../harness/otlp';
import { startPrometheus, type OtlpTranslationStrategy, type RunningPrometheus } from '../../harness/prometheus';
import {
  buildTimeline,
  mixtureCdf,
  otlpExports,
  routeLabelValue,
  type ConventionId,
  type OtlpRenderOptions,
  type Timeline,
  type TimelineOptions,
} from '../../../tools/simulator';
import { dataSource, installGrafanaStandIns, run, upstreams } from '../grafanaStandIns';
import { TRUTH_INTERVAL_MS, checkQuantilesAndRates, middle, seriesByLabel } from '../groundTruth';

const ROUTES = ['/flow_runs/filter', '/task_runs/{id}/set_state', '/flow_runs/{id}', '/work_pools/{name}'];
const EXPORT_INTERVAL_SECONDS = 30;

interface Env {
  prom: RunningPrometheus;
  timeline: Timeline;
  uid: string;
}

const envs: Env[] = [];

async function pushInto(
  strategy: OtlpTranslationStrategy,
  convention: ConventionId,
  render: OtlpRenderOptions,
  uid: string,
  timelineOptions: Partial<TimelineOptions> = {}
): Promise<Env> {
  const hours = timelineOptions.days ? timelineOptions.days * 24 : 4;
  const timeline = buildTimeline({
    seed: 11,
    convention,
    scrapeIntervalSeconds: EXPORT_INTERVAL_SECONDS,
    // Four hours ending an hour ago: inside Save & test's look-back, with three hours in the middle to check.
    start: Math.floor((Date.now() - (hours + 1) * 3600_000) / 60_000) * 60_000,
    days: 4 / 24,
    include: [],
    routes: ROUTES,
    ...timelineOptions,
  });
  const prom = await startPrometheus({ engine: 'prometheus3', otlp: { translationStrategy: strategy } });
  const env = { prom, timeline, uid };
  envs.push(env);
  const pushed = await pushOtlp(prom, otlpExports(timeline, render));
  expect(pushed.requests).toBeGreaterThan(400);
  upstreams.set(uid, prom.url);
  return env;
}

beforeAll(() => installGrafanaStandIns());
afterAll(async () => {
  await Promise.all(envs.map((e) => e.prom.stop()));
});

const p95Query: PrefectQuery = { refId: 'A', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] };
const rateQuery: PrefectQuery = { refId: 'B', queryType: 'rate', groupBy: ['route'] };

const PREFECT_INSTRUMENT: OtlpRenderOptions = {
  instrument: 'prefect.server.api.request.duration',
  unit: 's',
  histogram: 'explicit',
};
const HTTP_INSTRUMENT: OtlpRenderOptions = {
  instrument: 'http.server.request.duration',
  unit: 's',
  histogram: 'explicit',
};

// What each strategy makes of the two instruments (Prometheus's otlptranslator; ../shared notes "Names in Prometheus").
const CLASSIC_CASES: Array<[OtlpTranslationStrategy, ConventionId, OtlpRenderOptions, string, string]> = [
  [
    'UnderscoreEscapingWithSuffixes',
    'prefect',
    PREFECT_INSTRUMENT,
    'prefect_server_api_request_duration_seconds',
    'http_route',
  ],
  [
    'NoUTF8EscapingWithSuffixes',
    'prefect',
    PREFECT_INSTRUMENT,
    'prefect.server.api.request.duration_seconds',
    'http.route',
  ],
  [
    'UnderscoreEscapingWithoutSuffixes',
    'prefect',
    PREFECT_INSTRUMENT,
    'prefect_server_api_request_duration',
    'http_route',
  ],
  ['NoTranslation', 'prefect', PREFECT_INSTRUMENT, 'prefect.server.api.request.duration', 'http.route'],
  [
    'UnderscoreEscapingWithSuffixes',
    'otel-stable',
    HTTP_INSTRUMENT,
    'http_server_request_duration_seconds',
    'http_route',
  ],
  ['NoUTF8EscapingWithSuffixes', 'otel-stable', HTTP_INSTRUMENT, 'http.server.request.duration_seconds', 'http.route'],
  ['UnderscoreEscapingWithoutSuffixes', 'otel-stable', HTTP_INSTRUMENT, 'http_server_request_duration', 'http_route'],
  ['NoTranslation', 'otel-stable', HTTP_INSTRUMENT, 'http.server.request.duration', 'http.route'],
];

describe('OTLP into Prometheus 3, explicit-bucket histograms', () => {
  it.each(CLASSIC_CASES)(
    '%s, %s: Save & test names %s / %s and p95 by route matches the truth',
    async (strategy, convention, render, metric, routeLabel) => {
      const env = await pushInto(strategy, convention, render, `otlp-${strategy}-${convention}`);
      const ds = dataSource(env.uid);
      const test = await ds.testDatasource();
      expect(test).toMatchObject({ status: 'success' });
      expect(test.message).toContain(`metric \`${metric}\``);
      expect(test.message).toContain(`route label \`${routeLabel}\``);
      expect(test.message).toContain(`${ROUTES.length} routes`);
      expect(test.message).not.toContain('native');

      const { from, to } = middle(env);
      const res = await run(ds, [p95Query, rateQuery], from, to, {}, TRUTH_INTERVAL_MS);
      expect(res.errors).toBeUndefined();
      const p95 = res.data.filter((f: DataFrame) => f.refId === 'A');
      expect(p95).toHaveLength(ROUTES.length);
      // The frames are keyed by the label as stored: `sum by ("http.route")` reached Prometheus and was honoured.
      const keys = Object.keys(p95[0].fields[1].labels ?? {});
      expect(keys).toContain(routeLabel);
      expect(keys).not.toContain(routeLabel.includes('.') ? 'http_route' : 'http.route');
      checkQuantilesAndRates(env, { p95, rate: res.data.filter((f: DataFrame) => f.refId === 'B') }, routeLabel);
      await env.prom.stop();
    },
    120_000
  );
});

// Exponential histograms at scale 3: buckets 2^(1/8) ≈ 9 % wide.
const SCALE = 3;
const BUCKET_LOG_WIDTH = Math.log(2) / 2 ** SCALE;
// 15-minute points: the quietest route (0.2 req/s) then has ~190 requests per point, so a p95 is a property of the
// distribution (about ten requests above it), not of the two or three a 5-minute point holds.
const NATIVE_INTERVAL_MS = 900_000;

describe.each([
  [
    'UnderscoreEscapingWithSuffixes',
    'prefect',
    PREFECT_INSTRUMENT,
    'prefect_server_api_request_duration_seconds',
    'http_route',
  ],
  ['NoUTF8EscapingWithSuffixes', 'otel-stable', HTTP_INSTRUMENT, 'http.server.request.duration_seconds', 'http.route'],
] as const)(
  'OTLP exponential histograms into Prometheus 3 (%s, %s)',
  (strategy, convention, render, metric, routeLabel) => {
    let env: Env;
    beforeAll(async () => {
      env = await pushInto(
        strategy,
        convention,
        { ...render, histogram: 'exponential', scale: SCALE },
        `otlp-native-${strategy}-${convention}`
      );
    }, 120_000);
    afterAll(() => env?.prom.stop());

    const truthAt = (routeId: string, t: number) => env.timeline.model.truth(routeId, t);
    const routeOf = (label: string) => env.timeline.model.routes.find((r) => routeLabelValue(r, true) === label)!;

    /** Every finite point of every route against `expected`, within `tolerance`; returns how many were compared. */
    function compare(
      frames: DataFrame[],
      expected: (routeId: string, t: number) => number,
      within: (got: number, want: number) => boolean
    ): number {
      let checked = 0;
      for (const [label, s] of seriesByLabel(frames, routeLabel)) {
        const route = routeOf(label);
        expect(route).toBeDefined();
        s.times.forEach((t, i) => {
          if (Number.isFinite(s.values[i])) {
            const want = expected(route.id, t);
            if (!within(s.values[i], want)) {
              throw new Error(`${label} at ${new Date(t).toISOString()}: got ${s.values[i]}, want ${want}`);
            }
            checked++;
          }
        });
      }
      return checked;
    }

    it(`Save & test names ${metric} as a native histogram`, async () => {
      const test = await dataSource(env.uid).testDatasource();
      expect(test).toMatchObject({ status: 'success' });
      expect(test.message).toContain(`metric \`${metric}\``);
      expect(test.message).toContain('native histogram');
      expect(test.message).toContain(`route label \`${routeLabel}\``);
    });

    it('p95 and p50 by route lie within the native histogram resolution of the truth', async () => {
      const { from, to } = middle(env);
      const res = await run(
        dataSource(env.uid),
        [{ refId: 'A', queryType: 'quantile', quantiles: [0.5, 0.95], groupBy: ['route'] }],
        from,
        to,
        {},
        NATIVE_INTERVAL_MS
      );
      expect(res.errors).toBeUndefined();
      for (const [q, key] of [
        ['0.95', 'p95'],
        ['0.5', 'p50'],
      ] as const) {
        const picked = res.data.filter((f: DataFrame) => f.fields[1].labels?.quantile === q);
        expect(picked).toHaveLength(ROUTES.length);
        // One bucket for the bucket itself, one more for the whole requests a point holds, and the latency wobble.
        const n = compare(
          picked,
          (id, t) => truthAt(id, t)[key],
          (got, want) => Math.abs(Math.log(got / want)) <= 2 * BUCKET_LOG_WIDTH + 0.1
        );
        expect(n).toBeGreaterThan(ROUTES.length * 8);
      }
    });

    it('mean and rate by route match the truth', async () => {
      const { from, to } = middle(env);
      const res = await run(
        dataSource(env.uid),
        [
          { refId: 'M', queryType: 'mean', groupBy: ['route'] },
          { refId: 'R', queryType: 'rate', groupBy: ['route'] },
        ],
        from,
        to,
        {},
        TRUTH_INTERVAL_MS
      );
      expect(res.errors).toBeUndefined();
      const mean = res.data.filter((f: DataFrame) => f.refId === 'M');
      expect(mean).toHaveLength(ROUTES.length);
      // The mean is exact (histogram_sum / histogram_count): only the per-minute wobble and sampling are in it.
      expect(
        compare(
          mean,
          (id, t) => truthAt(id, t).mean,
          (got, want) => Math.abs(got / want - 1) < 0.25
        )
      ).toBeGreaterThan(ROUTES.length * 20);
      const rate = seriesByLabel(
        res.data.filter((f: DataFrame) => f.refId === 'R'),
        routeLabel
      );
      expect(rate.size).toBe(ROUTES.length);
      for (const [label, s] of rate) {
        let got = 0;
        let want = 0;
        s.times.forEach((t, i) => {
          if (Number.isFinite(s.values[i])) {
            got += s.values[i];
            want += truthAt(routeOf(label).id, t).rate;
          }
        });
        expect(got / want).toBeGreaterThan(0.85);
        expect(got / want).toBeLessThan(1.15);
      }
    });

    it('the heatmap cuts the native histogram at fixed bounds whose rows add up to the request rate', async () => {
      const { from, to } = middle(env);
      const res = await run(
        dataSource(env.uid),
        [
          { refId: 'H', queryType: 'heatmap', groupBy: [] },
          { refId: 'R', queryType: 'rate', groupBy: [] },
        ],
        from,
        to,
        {},
        NATIVE_INTERVAL_MS
      );
      expect(res.errors).toBeUndefined();
      const heat: DataFrame = res.data.find((f: DataFrame) => f.refId === 'H')!;
      const total: DataFrame = res.data.find((f: DataFrame) => f.refId === 'R')!;
      const bounds = heat.fields.slice(1).map((f) => f.name);
      expect(bounds[bounds.length - 1]).toBe('+Inf');
      expect(bounds.length).toBeGreaterThan(5);
      const rateAt = new Map(
        (total.fields[0].values as number[]).map((t, i) => [t, total.fields[1].values[i] as number])
      );
      let checked = 0;
      (heat.fields[0].values as number[]).forEach((t, i) => {
        const rows = heat.fields.slice(1).map((f) => f.values[i] as number);
        const want = rateAt.get(t);
        if (want === undefined || rows.some((v) => !Number.isFinite(v))) {
          return;
        }
        expect(rows.every((v) => v >= 0)).toBe(true);
        expect(Math.abs(rows.reduce((a, b) => a + b, 0) / want - 1)).toBeLessThan(0.01);
        checked++;
      });
      expect(checked).toBeGreaterThan(8);
    });

    it('a scan of quiet native-histogram traffic, pushed without any `up`, finds nothing', async () => {
      const res = await run(
        dataSource(env.uid),
        [{ refId: 'I', queryType: 'insights' }],
        env.timeline.start + 3600_000,
        env.timeline.end
      );
      expect(res.errors).toBeUndefined();
      expect(res.data).toHaveLength(1);
      expect(res.data[0].fields[0].name).toBe('id');
      expect(res.data[0].fields[0].values).toEqual([]);
    });

    it('the share slower than a threshold is histogram_fraction at the threshold itself', async () => {
      const threshold = 0.05;
      const { from, to } = middle(env);
      const res = await run(
        dataSource(env.uid),
        [{ refId: 'S', queryType: 'slowShare', thresholdSeconds: threshold, groupBy: ['route'] }],
        from,
        to,
        {},
        TRUTH_INTERVAL_MS
      );
      expect(res.errors).toBeUndefined();
      const model = env.timeline.model;
      const share = (id: string, t: number) =>
        1 - mixtureCdf(model.condition(model.routeIndex(id), t).components, threshold);
      const frames = res.data.filter((f: DataFrame) => f.refId === 'S');
      expect(frames).toHaveLength(ROUTES.length);
      // Interpolation inside one 9 % bucket and sampling noise: a few points of share.
      expect(compare(frames, share, (got, want) => Math.abs(got - want) < 0.08)).toBeGreaterThan(ROUTES.length * 20);
    });
  }
);

describe('a pool exhaustion in native histograms, pushed over OTLP into Prometheus 3', () => {
  let env: Env;
  beforeAll(async () => {
    // Six hours of baseline (the detectors' look-back), then the incident, on all of the simulator's routes.
    env = await pushInto(
      'UnderscoreEscapingWithSuffixes',
      'prefect',
      { ...PREFECT_INSTRUMENT, histogram: 'exponential', scale: SCALE },
      'otlp-native-pool',
      { days: 8 / 24, include: ['db-pool-exhaustion'], routes: undefined }
    );
  }, 170_000);
  afterAll(() => env?.prom.stop());

  it('is found once, at the injected time, and nothing else is', async () => {
    const truth = env.timeline.truth.find((t) => t.id === 'db-pool-exhaustion')!;
    expect(truth).toBeDefined();
    const res = await run(
      dataSource(env.uid),
      [{ refId: 'I', queryType: 'insights' }],
      env.timeline.start + 6 * 3600_000 - 1800_000,
      env.timeline.end
    );
    expect(res.errors).toBeUndefined();
    const [frame] = res.data as DataFrame[];
    const ids = frame.fields.find((f) => f.name === 'id')!.values as string[];
    expect(ids).toEqual(['db-pool-exhaustion']);
    const start = frame.fields.find((f) => f.name === 'start')!.values[0] as number;
    const end = frame.fields.find((f) => f.name === 'end')!.values[0] as number;
    expect(Math.abs(start - truth.start)).toBeLessThanOrEqual(60_000 + EXPORT_INTERVAL_SECONDS * 1000);
    expect(Math.abs(end - truth.end)).toBeLessThanOrEqual(60_000 + EXPORT_INTERVAL_SECONDS * 1000);
  });
});
