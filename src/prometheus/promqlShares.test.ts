/** @jest-environment node */
import { STATUS_CLASS_LABEL, statusMixQuery, timeShareQuery, type QueryOptions } from './promql';
import { INSTRUMENTATOR, STABLE_CLASSIC, STABLE_NATIVE } from './testMetrics';
import type { ResolvedMetric } from './types';

const classic = STABLE_CLASSIC;
const native = STABLE_NATIVE;
const instrumentator = INSTRUMENTATOR;
const opts: QueryOptions = { window: '2m', groupBy: ['route'] };

describe('timeShareQuery', () => {
  it('divides each route’s time by the whole server’s time', () => {
    expect(timeShareQuery(classic, opts)).toBe(
      'sum by (http_route) (rate(http_server_request_duration_seconds_sum{service_name="prefect-server"}[2m])) / ' +
        'scalar(sum(rate(http_server_request_duration_seconds_sum{service_name="prefect-server"}[2m])))'
    );
  });

  it('narrows the routes shown with the route filter, never the total', () => {
    const q = timeShareQuery(classic, { ...opts, filters: { routes: ['/flow_runs/filter'], methods: ['POST'] } });
    const [shown, total] = q.split(' / scalar(');
    expect(shown).toContain('http_route="/flow_runs/filter"');
    expect(total).not.toContain('http_route');
    expect(shown).toContain('http_request_method="POST"');
    expect(total).toContain('http_request_method="POST"');
  });

  it('reads histogram_sum for native histograms (units cancel, so no conversion)', () => {
    const q = timeShareQuery(native, opts);
    expect(q).toContain('histogram_sum(rate(http_server_request_duration_seconds{service_name="prefect-server"}[2m]))');
    expect(q).not.toContain('_sum{');
    expect(q).not.toContain('/ 1000');
  });

  it('escapes hostile route values', () => {
    const q = timeShareQuery(classic, { ...opts, filters: { routes: ['"}) or vector(1) #'] } });
    expect(q).toContain('http_route="\\"}) or vector(1) #"');
  });
});

describe('statusMixQuery', () => {
  it('maps every status code to its class with label_replace and divides by the route’s total', () => {
    expect(statusMixQuery(classic, opts)).toBe(
      `sum by (http_route, ${STATUS_CLASS_LABEL}) (label_replace(rate(http_server_request_duration_seconds_count{service_name="prefect-server"}[2m]), "${STATUS_CLASS_LABEL}", "\${1}xx", "http_response_status_code", "([1-5]).*")) / ` +
        `ignoring(${STATUS_CLASS_LABEL}) group_left sum by (http_route) (rate(http_server_request_duration_seconds_count{service_name="prefect-server"}[2m]))`
    );
  });

  it('writes the class replacement with braces, which Go’s regexp expansion needs', () => {
    expect(statusMixQuery(classic, opts)).toContain('"${1}xx"');
    expect(statusMixQuery(classic, opts)).not.toContain('"$1xx"');
  });

  it('drops status filters and status grouping: the status is what is mixed', () => {
    const q = statusMixQuery(classic, { window: '2m', groupBy: ['route', 'status'], filters: { statuses: ['5xx'] } });
    expect(q).not.toContain('=~"5..');
    expect(q).toContain('sum by (http_route, status_class)');
  });

  it('reads the instrumentator’s companion counter, whose classes map to themselves', () => {
    const q = statusMixQuery(instrumentator, opts);
    expect(q).toContain('rate(http_requests_total{job="prefect"}[2m])');
    expect(q).toContain('"status", "([1-5]).*"');
    expect(q).toContain('sum by (handler, status_class)');
  });

  it('uses histogram_count for native histograms', () => {
    expect(statusMixQuery(native, opts)).toContain('histogram_count(rate(http_server_request_duration_seconds{');
  });

  it('refuses a metric without any status', () => {
    const noStatus: ResolvedMetric = { ...classic, labels: { route: 'http_route' } };
    expect(() => statusMixQuery(noStatus, opts)).toThrow(/no status/);
  });
});
