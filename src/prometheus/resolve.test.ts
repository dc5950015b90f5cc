/** @jest-environment node */
import {
  MetricNotFoundError,
  describeResolution,
  listLabelValues,
  listTargets,
  resolveMetric,
  targetsOf,
} from './resolve';
import { STABLE_CLASSIC } from './testMetrics';
import type { PrometheusApi, ResolvedMetric } from './types';

type Series = Record<string, string>;

/**
 * A tiny in-memory Prometheus: `series` honours exact `__name__` (bare or `{__name__="…"}`) and exact label
 * matchers, which is all resolution sends.
 */
function fakeApi(data: Series[]) {
  const calls: Array<{ fn: string; args: unknown[] }> = [];
  const parse = (selector: string) => {
    const m = /^([^{]*)(?:\{(.*)\})?$/.exec(selector)!;
    const matchers: Array<[string, string]> = [];
    for (const part of (m[2] ?? '').split(', ').filter(Boolean)) {
      const mm = /^([a-zA-Z_][a-zA-Z0-9_]*)="(.*)"$/.exec(part);
      if (mm) {
        matchers.push([mm[1], mm[2]]);
      }
    }
    if (m[1]) {
      matchers.push(['__name__', m[1]]);
    }
    return (s: Series) => matchers.every(([k, v]) => s[k] === v);
  };
  const select = (selectors: string[]) => data.filter((s) => selectors.some((sel) => parse(sel)(s)));
  const api: PrometheusApi = {
    async series(matchers, start, end) {
      calls.push({ fn: 'series', args: [matchers, start, end] });
      return select(matchers);
    },
    async labelValues(label, matchers, start, end) {
      calls.push({ fn: 'labelValues', args: [label, matchers, start, end] });
      return [
        ...new Set(
          select(matchers)
            .map((s) => s[label])
            .filter((v) => v !== undefined)
        ),
      ];
    },
    async query() {
      throw new Error('not used');
    },
    async queryRange(expr) {
      // Only the not-found diagnosis asks for ranges; this Prometheus holds no samples outside its series list.
      calls.push({ fn: 'queryRange', args: [expr] });
      return [];
    },
  };
  return { api, calls };
}

function classicSeries(name: string, labels: Series, bounds: string[]): Series[] {
  return [
    { __name__: `${name}_count`, ...labels },
    { __name__: `${name}_sum`, ...labels },
    ...[...bounds, '+Inf'].map((le) => ({ __name__: `${name}_bucket`, ...labels, le })),
  ];
}

const range = { start: 1_700_000_000, end: 1_700_086_400 };
const otelLabels = {
  http_route: '/api/flow_runs/filter',
  http_request_method: 'POST',
  http_response_status_code: '200',
};

describe('resolveMetric', () => {
  it('finds the first convention present, classic, with its labels and buckets', async () => {
    const { api, calls } = fakeApi([
      ...classicSeries('http_server_request_duration_seconds', { ...otelLabels, job: 'prefect' }, [
        '0.005',
        '0.5',
        '10',
      ]),
      ...classicSeries('http_request_duration_seconds', { handler: '/x', method: 'GET' }, ['1']),
    ]);
    const m = await resolveMetric(api, {}, range);
    expect(m).toEqual({
      conventionId: 'otel-stable',
      name: 'http_server_request_duration_seconds',
      kind: 'classic',
      unit: 'seconds',
      labels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
      selector: '',
      buckets: [0.005, 0.5, 10],
    });
    // one series call per candidate tried (prefect, prefect-utf8, otel-stable) plus one for the bounds
    expect(calls.map((c) => c.fn)).toEqual(['series', 'series', 'series', 'labelValues']);
    expect(calls[1].args[0]).toEqual([
      '{__name__="prefect.server.api.request.duration_seconds_count"}',
      '{__name__="prefect.server.api.request.duration_seconds"}',
      '{__name__="prefect.server.api.request.duration_count"}',
      '{__name__="prefect.server.api.request.duration"}',
    ]);
    expect(calls[0].args.slice(1)).toEqual([range.start, range.end]);
  });

  // Every name Prometheus 3's OTLP strategies (and the exporters) give the same two instruments.
  it.each([
    ['prefect_server_api_request_duration_seconds', 'prefect', 'UnderscoreEscapingWithSuffixes'],
    ['prefect.server.api.request.duration_seconds', 'prefect-utf8', 'NoUTF8EscapingWithSuffixes'],
    ['prefect_server_api_request_duration', 'prefect', 'UnderscoreEscapingWithoutSuffixes'],
    ['prefect.server.api.request.duration', 'prefect-utf8', 'NoTranslation'],
    ['http_server_request_duration_seconds', 'otel-stable', 'UnderscoreEscapingWithSuffixes'],
    ['http.server.request.duration_seconds', 'otel-stable', 'NoUTF8EscapingWithSuffixes'],
    ['http_server_request_duration', 'otel-stable', 'UnderscoreEscapingWithoutSuffixes'],
    ['http.server.request.duration', 'otel-stable', 'NoTranslation'],
    ['http_server_duration_milliseconds', 'otel-legacy-ms', 'the Prometheus exporter'],
    ['http.server.duration', 'otel-legacy-ms', 'NoTranslation'],
  ])('resolves %s (%s, %s), classic and native', async (name, conventionId) => {
    const dotted = name.includes('.');
    const labels = dotted
      ? { 'http.route': '/api/x', 'http.request.method': 'GET', 'http.response.status_code': '200' }
      : otelLabels;
    for (const kind of ['classic', 'native'] as const) {
      const data = kind === 'classic' ? classicSeries(name, labels, ['0.5', '1']) : [{ __name__: name, ...labels }];
      const m = await resolveMetric(fakeApi(data).api, {}, range);
      expect(m).toMatchObject({ conventionId, name, kind });
      expect(m.unit).toBe(conventionId === 'otel-legacy-ms' ? 'milliseconds' : 'seconds');
      expect(m.labels).toEqual(
        dotted
          ? { route: 'http.route', method: 'http.request.method', status: 'http.response.status_code' }
          : { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' }
      );
      if (kind === 'classic') {
        expect(m.buckets).toEqual(conventionId === 'otel-legacy-ms' ? [0.0005, 0.001] : [0.5, 1]);
      }
    }
  });

  it('prefers the default spelling when a strategy change left two behind', async () => {
    const { api } = fakeApi([
      ...classicSeries('http_server_request_duration', otelLabels, ['1']),
      ...classicSeries('http_server_request_duration_seconds', otelLabels, ['1']),
    ]);
    expect((await resolveMetric(api, {}, range)).name).toBe('http_server_request_duration_seconds');
  });

  it('looks for exactly the spelling the user names', async () => {
    const { api, calls } = fakeApi(classicSeries('http.server.request.duration_seconds', otelLabels, ['1']));
    const m = await resolveMetric(api, { metric: 'http.server.request.duration_seconds_bucket' }, range);
    expect(m).toMatchObject({ conventionId: 'otel-stable', name: 'http.server.request.duration_seconds' });
    expect(calls[0].args[0]).toEqual([
      '{__name__="http.server.request.duration_seconds_count"}',
      '{__name__="http.server.request.duration_seconds"}',
    ]);
  });

  it('picks the Prefect service by exported_job behind a Collector', async () => {
    const collector = { job: 'otel-collector', instance: 'collector:8889' };
    const { api } = fakeApi([
      ...classicSeries(
        'http_server_request_duration_seconds',
        { ...otelLabels, ...collector, exported_job: 'prefect-server' },
        ['1']
      ),
      ...classicSeries(
        'http_server_request_duration_seconds',
        { ...otelLabels, ...collector, exported_job: 'billing' },
        ['1']
      ),
    ]);
    const m = await resolveMetric(api, {}, range);
    expect(m.selector).toBe('exported_job="prefect-server"');
  });

  it('detects native histograms from the plain name', async () => {
    const { api } = fakeApi([
      { __name__: 'prefect_server_api_request_duration_seconds', route: '/a', method: 'GET', code: '200' },
    ]);
    const m = await resolveMetric(api, {}, range);
    expect(m.kind).toBe('native');
    expect(m.buckets).toEqual([]);
    expect(m.labels).toEqual({ route: 'route', method: 'method', status: 'code' });
  });

  it('converts millisecond bounds to seconds', async () => {
    const { api } = fakeApi(
      classicSeries(
        'http_server_duration_milliseconds',
        { http_target: '/api/health', http_method: 'GET', http_status_code: '200' },
        ['5', '250', '10000']
      )
    );
    const m = await resolveMetric(api, {}, range);
    expect(m).toMatchObject({ conventionId: 'otel-legacy-ms', unit: 'milliseconds', buckets: [0.005, 0.25, 10] });
    expect(m.labels).toEqual({ route: 'http_target', method: 'http_method', status: 'http_status_code' });
  });

  it('uses the companion counter for the instrumentator', async () => {
    const { api } = fakeApi(
      classicSeries('http_request_duration_seconds', { handler: '/api/x', method: 'GET' }, ['1'])
    );
    const m = await resolveMetric(api, {}, range);
    expect(m.labels.status).toBeUndefined();
    expect(m.statusCounter).toEqual({ name: 'http_requests_total', label: 'status' });
  });

  it('picks the Prefect service when a generic metric comes from several', async () => {
    const { api } = fakeApi([
      ...classicSeries('http_server_request_duration_seconds', { ...otelLabels, service_name: 'grafana', job: 'a' }, [
        '1',
      ]),
      ...classicSeries(
        'http_server_request_duration_seconds',
        { ...otelLabels, service_name: 'prefect-server', job: 'a' },
        ['2']
      ),
    ]);
    const m = await resolveMetric(api, {}, range);
    expect(m.selector).toBe('service_name="prefect-server"');
    expect(m.buckets).toEqual([2]);
  });

  it('honours overrides: metric (with suffix), labels, unit and selector', async () => {
    const { api, calls } = fakeApi([
      ...classicSeries('my_latency', { path: '/a', verb: 'GET', env: 'prod' }, ['100']),
      ...classicSeries('my_latency', { path: '/a', verb: 'GET', env: 'dev' }, ['100']),
    ]);
    const m = await resolveMetric(
      api,
      {
        metric: 'my_latency_bucket',
        routeLabel: 'path',
        methodLabel: 'verb',
        unit: 'milliseconds',
        selector: ' env = "prod" ',
      },
      range
    );
    expect(m).toMatchObject({
      conventionId: 'custom',
      name: 'my_latency',
      unit: 'milliseconds',
      selector: 'env="prod"',
      labels: { route: 'path', method: 'verb' },
      buckets: [0.1],
    });
    expect(calls[0].args[0]).toEqual(['my_latency_count{env="prod"}', 'my_latency{env="prod"}']);
  });

  it('says what it looked for, where, and how to get the metric', async () => {
    const { api } = fakeApi([]);
    const err = await resolveMetric(api, { selector: 'job="prefect"' }, range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricNotFoundError);
    const message = (err as Error).message;
    for (const name of ['prefect_server_api_request_duration_seconds', 'http_request_duration_seconds']) {
      expect(message).toContain(`\`${name}\``);
    }
    expect(message).toContain('selector `job="prefect"`');
    expect(message).toContain('2023-11-14 22:13 and 2023-11-15 22:13 UTC');
    expect(message).toContain('OTEL_SEMCONV_STABILITY_OPT_IN=http');
    expect(message).toContain('opentelemetry-instrument prefect server start');
    expect(message.split('\n').length).toBeLessThanOrEqual(6);
  });

  it('rejects an invalid selector or label override before asking Prometheus', async () => {
    const { api, calls } = fakeApi([]);
    await expect(resolveMetric(api, { selector: 'a="1"} or vector(1)' }, range)).rejects.toThrow(/Invalid selector/);
    await expect(resolveMetric(api, { routeLabel: 'a b' }, range)).rejects.toThrow();
    expect(calls.filter((c) => c.fn === 'series').length).toBeLessThanOrEqual(1);
  });

  it('blames the selector, with the values that exist, when the metric is there without it', async () => {
    const { api } = fakeApi(
      classicSeries('prefect_server_api_request_duration_seconds', { http_route: '/a', job: 'prefect-server' }, ['1'])
    );
    const err = await resolveMetric(api, { selector: 'job="prefect-sever"' }, range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricNotFoundError);
    expect((err as MetricNotFoundError).reason).toBe('selector');
    expect((err as Error).message).toContain('The values there: job = "prefect-server".');
    expect((err as Error).message).not.toContain('instrument');
  });

  it('lists the histograms that exist when the named metric does not', async () => {
    const { api } = fakeApi(classicSeries('my_api_latency_seconds', { route: '/a' }, ['1']));
    const err = await resolveMetric(api, { metric: 'my_api_latncy_seconds' }, range).catch((e: unknown) => e);
    expect((err as MetricNotFoundError).reason).toBe('unknown-metric');
    expect((err as Error).message).toContain('The histograms there: `my_api_latency_seconds`.');
  });

  it('explains a metric without any route label', async () => {
    const { api } = fakeApi(classicSeries('prefect_server_api_request_duration_seconds', { path: '/a' }, ['1']));
    await expect(resolveMetric(api, {}, range)).rejects.toThrow(/none of the route labels/);
  });
});

const resolved: ResolvedMetric = { ...STABLE_CLASSIC, buckets: [1] };

describe('describeResolution', () => {
  it('writes one human line', () => {
    expect(describeResolution(resolved, 14)).toBe(
      'metric `http_server_request_duration_seconds` (OpenTelemetry, seconds), route label `http_route`, 14 routes, selector `service_name="prefect-server"`'
    );
    expect(describeResolution({ ...resolved, kind: 'native', selector: '' }, 1)).toBe(
      'metric `http_server_request_duration_seconds` (OpenTelemetry, seconds, native histogram), route label `http_route`, 1 route'
    );
  });
});

describe('listLabelValues and listTargets', () => {
  const data = [
    ...classicSeries(
      'http_server_request_duration_seconds',
      { ...otelLabels, service_name: 'prefect-server', job: 'p', instance: 'h:1' },
      ['1']
    ),
    ...classicSeries(
      'http_server_request_duration_seconds',
      { ...otelLabels, http_route: '/api/health', service_name: 'prefect-server', job: 'p', instance: 'h:2' },
      ['1']
    ),
    ...classicSeries(
      'http_server_request_duration_seconds',
      { ...otelLabels, http_route: '/other', service_name: 'x', job: 'q' },
      ['1']
    ),
  ];

  it('lists route values of the selected series only, sorted', async () => {
    const { api } = fakeApi(data);
    expect(await listLabelValues(api, resolved, 'route', range)).toEqual(['/api/flow_runs/filter', '/api/health']);
  });

  it('lists statuses from the companion counter when the histogram has none', async () => {
    const { api, calls } = fakeApi([{ __name__: 'http_requests_total', handler: '/a', status: '5xx' }]);
    const m: ResolvedMetric = {
      ...resolved,
      selector: '',
      labels: { route: 'handler' },
      statusCounter: { name: 'http_requests_total', label: 'status' },
    };
    expect(await listLabelValues(api, m, 'status', range)).toEqual(['5xx']);
    expect(calls[0].args.slice(0, 2)).toEqual(['status', ['http_requests_total']]);
  });

  it('finds the jobs and instances of the selected series', async () => {
    const { api } = fakeApi(data);
    expect(await listTargets(api, resolved, range)).toEqual({ jobs: ['p'], instances: ['h:1', 'h:2'] });
  });

  it("names Prefect's exported_job/exported_instance, not the Collector's job, behind a Collector", () => {
    const collector = { job: 'otel-collector', instance: 'collector:8889' };
    expect(
      targetsOf([
        { ...collector, exported_job: 'prefect-server', exported_instance: 'p:4200' },
        { ...collector, exported_job: 'prefect-server', exported_instance: 'p:4201' },
      ])
    ).toEqual({ jobs: ['prefect-server'], instances: ['p:4200', 'p:4201'], exported: true });
    expect(targetsOf([{ job: 'prefect-server' }])).toEqual({ jobs: ['prefect-server'], instances: [] });
  });
});

// The shapes a real Prefect 3.9.1 under `opentelemetry-instrument` produced (tests/prefect records them live).
describe("Prefect's mounted API app", () => {
  const B = ['0.005', '0.01', '10'];
  const stable = 'http_server_request_duration_seconds';
  const scope = { otel_scope_name: 'opentelemetry.instrumentation.fastapi' };

  it("leaves out the root app's `/api` copy of every request and says so", async () => {
    const { api } = fakeApi([
      ...classicSeries(stable, { ...scope, http_route: '/api', http_request_method: 'POST' }, B),
      ...classicSeries(stable, { ...scope, http_route: '/flow_runs/filter', http_request_method: 'POST' }, B),
      ...classicSeries(stable, { ...scope, http_route: '/flow_runs/{id:uuid}', http_request_method: 'GET' }, B),
    ]);
    const m = await resolveMetric(api, {}, range);
    expect(m.conventionId).toBe('otel-stable');
    expect(m.selector).toBe('http_route!="/api"');
    expect(m.notes).toEqual([expect.stringContaining('left out the `http_route="/api"` series')]);
  });

  it('keeps a user selector beside the mount-point matcher', async () => {
    const { api } = fakeApi([
      ...classicSeries(stable, { job: 'prefect', http_route: '/api' }, B),
      ...classicSeries(stable, { job: 'prefect', http_route: '/flow_runs/filter' }, B),
    ]);
    const m = await resolveMetric(api, { selector: 'job="prefect"' }, range);
    expect(m.selector).toBe('job="prefect", http_route!="/api"');
  });

  it('refuses data whose only route is the mount point and names the setting that fixes it', async () => {
    const { api } = fakeApi([...classicSeries(stable, { http_route: '/api', http_request_method: 'GET' }, B)]);
    await expect(resolveMetric(api, {}, range)).rejects.toThrow(
      /has http_route="\/api" on every series.*OTEL_SEMCONV_STABILITY_OPT_IN/
    );
  });

  it('warns that the older conventions count each request twice under auto-instrumentation', async () => {
    const legacy = 'http_server_duration_milliseconds';
    const { api } = fakeApi([
      ...classicSeries(legacy, { ...scope, http_target: '/api/flow_runs/filter', http_method: 'POST' }, ['5', '10']),
    ]);
    const m = await resolveMetric(api, {}, range);
    expect(m.selector).toBe('');
    expect(m.notes?.join(' ')).toMatch(/read double.*OTEL_SEMCONV_STABILITY_OPT_IN=http/);
  });

  it('adds no note to data of another origin', async () => {
    const { api } = fakeApi([...classicSeries('http_server_duration_milliseconds', { http_target: '/api/x' }, ['5'])]);
    const m = await resolveMetric(api, {}, range);
    expect(m.notes).toBeUndefined();
  });
});
