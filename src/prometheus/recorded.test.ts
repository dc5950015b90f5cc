import { CONVENTIONS } from './conventions';
import { metricForConvention } from '../rules/offline';
import { formatResolution, recordedProbeExpr, recordedQueries, RECORDED_QUANTILES } from './recorded';
import type { ResolvedMetric } from './types';

const M: ResolvedMetric = {
  conventionId: 'prefect',
  name: 'prefect_server_api_request_duration_seconds',
  kind: 'classic',
  unit: 'seconds',
  labels: { route: 'http_route', status: 'http_response_status_code' },
  selector: '',
  buckets: [0.1, 1, 10, 30, 60],
};

// The scan's usual read: the step equal to the recordings' interval.
const AT_5M = { stepSeconds: 300, intervalSeconds: 300 };

describe('recordedQueries', () => {
  it("reads the last evaluation of one step at the recordings' interval, grouped by the route label", () => {
    const q = recordedQueries(M, AT_5M);
    expect(q.quantile(0.99)).toBe(
      'histogram_quantile(0.99, sum by (le, http_route) (last_over_time(route_le:prefect_api_request_duration_seconds_bucket:rate_long[5m])))'
    );
    // Read as recorded, one series per route: the scan's alignment sums them by the route label.
    expect(q.rate()).toBe('last_over_time(route:prefect_api_request_duration_seconds_count:rate_long[5m])');
    expect(q.meanParts()).toEqual({
      sum: 'last_over_time(route:prefect_api_request_duration_seconds_sum:rate_long[5m])',
      total: q.rate(),
    });
    expect(q.errorParts()).toEqual({
      errors: 'last_over_time(route:prefect_api_requests_5xx:rate_long[5m])',
      total: q.rate(),
    });
    // A division in PromQL matches the two sides by their labels: both summed by route.
    expect(q.mean()).toBe(
      'sum by (http_route) (last_over_time(route:prefect_api_request_duration_seconds_sum:rate_long[5m])) / ' +
        `sum by (http_route) (${q.rate()})`
    );
    expect(q.slowShare(45).expr).toMatch(
      /^1 - \(sum by \(http_route\) \(.*\) \/ sum by \(http_route\) \(last_over_time\(route:prefect_api_request_duration_seconds_count:rate_long\[5m\]\)\)\)$/
    );
    expect(q.slowShare(45).total).toBe(q.rate());
    // Its numerator alone, route by route without a sum, for the scan to divide by the rate read.
    expect(q.slowShare(45).slowRate).toBe(
      `${q.rate()} - ignoring (le) group_right last_over_time(route_le:prefect_api_request_duration_seconds_bucket:rate_long{le=~"(30|3e\\\\+1|3e\\\\+01|30\\\\.0)"}[5m])`
    );
    expect(q.errorRate()).toContain('last_over_time(route:prefect_api_requests_5xx:rate_long[5m])');
  });

  it('averages the evaluations of a coarser step over the step less a millisecond', () => {
    const q = recordedQueries(M, { stepSeconds: 900, intervalSeconds: 300 });
    expect(q.rate()).toBe('avg_over_time(route:prefect_api_request_duration_seconds_count:rate_long[899999ms])');
    expect(() => recordedQueries(M, { stepSeconds: 60, intervalSeconds: 300 })).toThrow(RangeError);
    expect(() => recordedQueries(M, { stepSeconds: 300, intervalSeconds: 0 })).toThrow(RangeError);
  });

  it('counts the slow share at the largest bound under the threshold, every textual form of it', () => {
    const s = recordedQueries(M, { stepSeconds: 600, intervalSeconds: 300 }).slowShare(45);
    expect(s.boundSeconds).toBe(30);
    expect(s.exact).toBe(false);
    expect(s.expr).toContain('rate_long{le=~"(30|3e\\\\+1|3e\\\\+01|30\\\\.0)"}[599999ms]');
    expect(recordedQueries(M, { stepSeconds: 600, intervalSeconds: 300 }).slowShare(0.01).expr).toBeNull();
  });

  it('writes a milliseconds metric in its own unit and divides its answers to seconds', () => {
    const ms = metricForConvention('otel-legacy-ms');
    const q = recordedQueries({ ...ms, buckets: [0.1, 1] }, AT_5M);
    expect(q.quantile(0.5)).toMatch(/^\(histogram_quantile\(.*\)\) \/ 1000$/);
    expect(q.slowShare(1).expr).toContain('le=~"(1000|1e\\\\+3|1e\\\\+03|1000\\\\.0)"');
  });

  it('reads a recorded quantile as it is, one evaluation per step, without a server-side aggregation', () => {
    const q = recordedQueries(M, AT_5M, { quantiles: true });
    expect(q.quantile(0.95)).toBe('last_over_time(route:prefect_api_request_duration_seconds:p95_long[5m])');
    // Recorded in seconds already: a milliseconds metric's quantile is not divided again.
    const ms = metricForConvention('otel-legacy-ms');
    expect(recordedQueries({ ...ms, buckets: [0.1, 1] }, AT_5M, { quantiles: true }).quantile(0.5)).not.toContain(
      '/ 1000'
    );
    // Only the recorded quantiles exist; the other questions still read their own recordings.
    expect(() => q.quantile(0.9)).toThrow(RangeError);
    expect(q.rate()).toBe(recordedQueries(M, AT_5M).rate());
    expect(q.slowShare(45).expr).toBe(recordedQueries(M, AT_5M).slowShare(45).expr);
  });

  it("probes each recorded quantile by name beside the bucket recordings' count, in one expression", () => {
    const e = recordedProbeExpr('part');
    expect(e.split(' or ')).toHaveLength(2 + RECORDED_QUANTILES.length);
    for (const r of RECORDED_QUANTILES) {
      expect(e).toContain(`label_replace(max(count_over_time(${r.record}[1h])), "part", "${r.part}", "", "")`);
    }
    expect(e).toContain(
      'label_replace(count(count_over_time(route:prefect_api_request_duration_seconds_count:rate_long[1h])), "part", "recorded_series", "", "")'
    );
  });

  it('quotes a dotted route label and refuses a native histogram', () => {
    expect(recordedQueries({ ...M, labels: { route: 'http.route' } }, AT_5M).mean()).toContain('sum by ("http.route")');
    expect(() => recordedQueries({ ...M, kind: 'native' }, AT_5M)).toThrow(TypeError);
    expect(() => recordedQueries(M, AT_5M).quantile(2)).toThrow(RangeError);
  });

  it('has every convention write the same recorded names (the scan finds them whatever the metric)', () => {
    for (const c of CONVENTIONS) {
      const m = metricForConvention(c.id);
      if (m.kind === 'classic') {
        expect(recordedQueries(m, AT_5M).rate()).toContain(
          'route:prefect_api_request_duration_seconds_count:rate_long'
        );
      }
    }
  });
});

describe('formatResolution', () => {
  it('says seconds, minutes or hours', () => {
    expect(formatResolution(15)).toBe('15-second');
    expect(formatResolution(300)).toBe('5-minute');
    expect(formatResolution(3600)).toBe('1-hour');
    expect(formatResolution(90)).toBe('90-second');
  });
});
