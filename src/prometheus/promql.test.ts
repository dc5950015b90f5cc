/** @jest-environment node */
import fc from 'fast-check';

import {
  errorRateQuery,
  errorRatioQuery,
  heatmapQuery,
  meanLatencyQuery,
  quantileQuery,
  requestRateQuery,
  slowShareQuery,
  tailShareQuery,
  topSlowRoutesQuery,
  upQuery,
  type QueryOptions,
  taggedUnion,
} from './promql';
import { INSTRUMENTATOR, STABLE_CLASSIC, STABLE_NATIVE } from './testMetrics';
import type { ResolvedMetric } from './types';

const classic = STABLE_CLASSIC;
const native = STABLE_NATIVE;
const instrumentator = INSTRUMENTATOR;
const legacyMs: ResolvedMetric = {
  ...classic,
  conventionId: 'otel-legacy-ms',
  name: 'http_server_duration_milliseconds',
  unit: 'milliseconds',
  labels: { route: 'http_target', method: 'http_method', status: 'http_status_code' },
};
const dotted: ResolvedMetric = {
  ...classic,
  conventionId: 'prefect-utf8',
  name: 'prefect.server.api.request.duration',
};

const opts: QueryOptions = { window: '45s', groupBy: ['route'] };

/** Replaces every double-quoted literal by "S": what is left is the query's structure. */
function skeleton(query: string): string {
  let out = '';
  for (let i = 0; i < query.length; i++) {
    if (query[i] !== '"') {
      out += query[i];
      continue;
    }
    i++;
    while (i < query.length && query[i] !== '"') {
      i += query[i] === '\\' ? 2 : 1;
    }
    out += '"S"';
  }
  return out;
}

/** Every builder with the given filters, for every metric shape. */
function allQueries(filters: QueryOptions['filters']): string[] {
  const o = { window: '1m', groupBy: ['route' as const, 'method' as const], filters };
  return [classic, native, legacyMs, instrumentator, dotted].flatMap((m) => [
    quantileQuery(m, 0.95, o),
    requestRateQuery(m, o),
    meanLatencyQuery(m, o),
    heatmapQuery(m, o),
    errorRateQuery(m, o),
    errorRatioQuery(m, o),
    slowShareQuery(m, 1, o).expr ?? '',
    tailShareQuery(m, o)?.expr ?? '',
    topSlowRoutesQuery(m, 3, 0.99, o),
  ]);
}

describe('label values cannot change the query', () => {
  it('keeps the same structure whatever routes and methods are filtered on', () => {
    const value = fc.string({ unit: 'binary', maxLength: 20 });
    const values = fc.array(value, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(values, values, (routes, methods) => {
        // Same number of values keeps the same matcher kind (= for one, =~ for several).
        const benign = allQueries({ routes: routes.map(() => 'r'), methods: methods.map(() => 'm') }).map(skeleton);
        expect(allQueries({ routes, methods }).map(skeleton)).toEqual(benign);
      }),
      { numRuns: 300 }
    );
  });

  it('escapes a value that tries to close the matcher', () => {
    const q = quantileQuery(classic, 0.95, { window: '1m', filters: { routes: ['"} or vector(1) #'] } });
    expect(q).toContain('http_route="\\"} or vector(1) #"');
    expect(skeleton(q)).not.toContain('vector(1)');
  });
});

describe('taggedUnion', () => {
  it('keeps the first read as it is and tags each other one, so that `or` keeps every series', () => {
    expect(taggedUnion('part', 'a', [{ part: 'p99', expr: 'b' }])).toBe('a or label_replace(b, "part", "p99", "", "")');
  });

  it('escapes the tag and refuses a label that is not a label name', () => {
    expect(taggedUnion('part', 'a', [{ part: 'x"y', expr: 'b' }])).toBe(
      'a or label_replace(b, "part", "x\\"y", "", "")'
    );
    expect(() => taggedUnion('not a label', 'a', [{ part: 'p', expr: 'b' }])).toThrow();
  });
});

describe('quantileQuery', () => {
  it('uses _bucket and le for classic histograms, with the selector', () => {
    const q = quantileQuery(classic, 0.95, opts);
    expect(q).toMatch(
      /^histogram_quantile\(0\.95, sum by \(le, http_route\) \(rate\(http_server_request_duration_seconds_bucket\{/
    );
    expect(q).toContain('service_name="prefect-server"');
    expect(q).toContain('[45s]');
  });

  it('uses the plain name and no le for native histograms', () => {
    const q = quantileQuery(native, 0.5, opts);
    expect(q).toContain('rate(http_server_request_duration_seconds{');
    expect(q).not.toContain('_bucket');
    expect(q).not.toMatch(/\ble\b/);
  });

  it('converts milliseconds to seconds', () => {
    expect(quantileQuery(legacyMs, 0.99, opts)).toMatch(/\) \/ 1000$/);
    expect(meanLatencyQuery(legacyMs, opts)).toMatch(/\) \/ 1000$/);
    expect(quantileQuery(classic, 0.99, opts)).not.toContain('1000');
  });

  it('selects dotted names with __name__', () => {
    expect(quantileQuery(dotted, 0.95, opts)).toContain('{__name__="prefect.server.api.request.duration_bucket", ');
  });

  it('refuses bad windows, quantiles and selectors', () => {
    expect(() => quantileQuery(classic, 1.5, opts)).toThrow(RangeError);
    expect(() => quantileQuery(classic, 0.5, { window: '5m] or vector(1)' })).toThrow(/not a PromQL duration/);
    expect(() => quantileQuery({ ...classic, selector: 'a="1"} or vector(1) #' }, 0.5, opts)).toThrow(
      /Invalid selector/
    );
  });
});

describe('status filters and error queries', () => {
  it('turns a status class into a regex and a code into an exact matcher', () => {
    expect(requestRateQuery(classic, { window: '1m', filters: { statuses: ['5xx'] } })).toContain(
      'http_response_status_code=~"5.."'
    );
    expect(requestRateQuery(classic, { window: '1m', filters: { statuses: ['503'] } })).toContain(
      'http_response_status_code="503"'
    );
    expect(requestRateQuery(classic, { window: '1m', filters: { statuses: ['503', '4xx'] } })).toContain(
      'http_response_status_code=~"(503|4..)"'
    );
  });

  it('reads the instrumentator companion counter for 5xx', () => {
    const ratio = errorRatioQuery(instrumentator, opts);
    expect(ratio).toContain('http_requests_total{job="prefect", status="5xx"}');
    expect(ratio).not.toContain('http_request_duration_seconds');
    expect(ratio).toContain('sum by (handler)');
  });

  it('fills groups without 5xx with 0 instead of dropping them', () => {
    expect(errorRateQuery(classic, opts)).toMatch(/ or \(0 \* sum by \(http_route\)/);
  });

  it('refuses error queries when no status is known', () => {
    const noStatus: ResolvedMetric = { ...classic, labels: { route: 'http_route' } };
    expect(() => errorRateQuery(noStatus, opts)).toThrow(/5xx cannot be told apart/);
  });

  it('uses histogram_count for native histograms', () => {
    expect(requestRateQuery(native, opts)).toContain('histogram_count(rate(http_server_request_duration_seconds{');
    expect(meanLatencyQuery(native, opts)).toContain('histogram_sum(rate(');
  });
});

describe('slowShareQuery', () => {
  it('uses the largest bucket bound at or below the threshold and says so', () => {
    const s = slowShareQuery(classic, 5, opts);
    expect(s.boundSeconds).toBe(1);
    expect(s.exact).toBe(false);
    expect(s.expr).toContain('le=~"(1|1e\\\\+0|1e\\\\+00|1\\\\.0)"');
    expect(slowShareQuery(classic, 10, opts)).toMatchObject({ boundSeconds: 10, exact: true });
  });

  it('cannot tell below the smallest bucket', () => {
    expect(slowShareQuery(classic, 0.001, opts)).toEqual({ expr: null, boundSeconds: null, exact: false });
  });

  it('writes bounds and thresholds in the metric unit', () => {
    expect(slowShareQuery(legacyMs, 0.1, opts).expr).toContain('le=~"(100|');
    expect(slowShareQuery({ ...legacyMs, kind: 'native' }, 0.3, opts).expr).toContain('histogram_fraction(0, 300, ');
  });
});

describe('tailShareQuery', () => {
  it('counts the requests above the largest bound, whatever order the buckets come in', () => {
    const t = tailShareQuery({ ...classic, buckets: [1, 10, 0.005, 0.1] }, opts)!;
    expect(t.boundSeconds).toBe(10);
    expect(t.expr).toContain('le=~"(10|1e\\\\+1|1e\\\\+01|10\\\\.0)"');
    expect(t.expr).toMatch(/^1 - \(sum by \(http_route\) \(rate\(http_server_request_duration_seconds_bucket\{/);
    expect(t.expr).toContain('/ sum by (http_route) (rate(http_server_request_duration_seconds_count{');
  });

  it('writes the bound in the metric unit', () => {
    expect(tailShareQuery(legacyMs, opts)!.expr).toContain('le=~"(10000|');
  });

  it('has nothing to count for native histograms or unknown buckets', () => {
    expect(tailShareQuery(native, opts)).toBeNull();
    expect(tailShareQuery({ ...classic, buckets: [] }, opts)).toBeNull();
  });
});

describe('other builders', () => {
  it('heatmap keeps le for classic and cuts native histograms at bounds in seconds', () => {
    expect(heatmapQuery(classic, { window: '1m' })).toBe(
      'sum by (le) (rate(http_server_request_duration_seconds_bucket{service_name="prefect-server"}[1m]))'
    );
    const n = heatmapQuery({ ...native, buckets: [0.5, 2] }, { window: '1m' });
    expect(n.match(/label_replace/g)).toHaveLength(3);
    expect(n).toContain('"le", "0.5"');
    expect(n).toContain('"le", "+Inf"');
  });

  it('topSlowRoutes always groups by route', () => {
    expect(topSlowRoutesQuery(classic, 5, 0.99, { window: '1m', groupBy: ['method'] })).toMatch(
      /^topk\(5, histogram_quantile\(0\.99, sum by \(le, http_route, http_request_method\)/
    );
    expect(() => topSlowRoutesQuery(classic, 0, 0.99, opts)).toThrow(RangeError);
  });

  it('up selects the jobs and instances of the series', () => {
    expect(upQuery(classic, { jobs: ['prefect'], instances: [] })).toBe('up{job="prefect"}');
    expect(upQuery(classic, { jobs: ['a', 'b.c'], instances: ['h:1'] })).toBe('up{job=~"(a|b\\\\.c)", instance="h:1"}');
    expect(() => upQuery(classic, { jobs: [], instances: [] })).toThrow();
    // Behind a Collector scraped without honor_labels, Prefect's own up carries exported_job/exported_instance.
    expect(upQuery(classic, { jobs: ['prefect'], instances: ['p:4200'], exported: true })).toBe(
      'up{exported_job="prefect", exported_instance="p:4200"}'
    );
  });
});
