import { DEFAULT_PREFECT_SETTINGS } from '../catalog/prefectSettings';
import { FAR_FACTOR, P99_AT_TIMEOUT } from '../insights/toolkit/thresholds';
import { CONVENTIONS } from '../prometheus/conventions';
import type { ResolvedMetric } from '../prometheus/types';
import { alertName, alertRules, buildRuleGroups, isAlertRule, RECORDED, RULE_INSIGHTS, rulesYaml } from './generate';
import { metricForConvention } from './offline';
import { LONG_RANGE_GROUP, RECORDED_LONG } from '../prometheus/recorded';

const OPTS = { scrapeIntervalSeconds: 15 };

function rules(m: ResolvedMetric, settings = DEFAULT_PREFECT_SETTINGS, opts = OPTS) {
  return alertRules(buildRuleGroups(m, settings, opts));
}

function recorded(m: ResolvedMetric, name: string, opts = OPTS) {
  const r = buildRuleGroups(m, DEFAULT_PREFECT_SETTINGS, opts)
    .flatMap((g) => g.rules)
    .find((x) => !isAlertRule(x) && x.record === name);
  if (!r) {
    throw new Error(`no recording ${name}`);
  }
  return r.expr;
}

function exprOf(m: ResolvedMetric, id: string, settings = DEFAULT_PREFECT_SETTINGS) {
  const r = rules(m, settings).find((x) => x.labels.insight === id);
  if (!r) {
    throw new Error(`no rule for ${id}`);
  }
  return r.expr;
}

describe('buildRuleGroups', () => {
  it.each(CONVENTIONS.map((c) => c.id))('gives every detectable insight a rule for %s, none for the others', (id) => {
    const got = rules(metricForConvention(id)).map((r) => r.labels.insight);
    expect(got.sort()).toEqual([...RULE_INSIGHTS].sort());
    expect(got).not.toContain('k8s-worker-pod-overhead');
    expect(got).not.toContain('connection-reset');
  });

  it('carries severity, the advice link and the catalog title', () => {
    const r = rules(metricForConvention('prefect'), DEFAULT_PREFECT_SETTINGS, {
      scrapeIntervalSeconds: 15,
      grafanaUrl: 'https://grafana.example.com/',
    } as never).find((x) => x.labels.insight === 'db-pool-exhaustion')!;
    expect(r.alert).toBe('PrefectDbPoolExhaustion');
    expect(r.labels.severity).toBe('critical');
    expect(r.annotations.runbook_url).toBe(
      'https://grafana.example.com/a/prefectinsights-api-app/advice?insight=db-pool-exhaustion'
    );
    expect(r.annotations.summary).toMatch(/connection pool/i);
  });

  it('reads thresholds from the settings and the detectors, not from copies', () => {
    const m = metricForConvention('prefect');
    const slow = {
      ...DEFAULT_PREFECT_SETTINGS,
      poolTimeoutSeconds: 45,
      uiPatienceSeconds: 7,
      apiRequestTimeoutSeconds: 120,
    };
    expect(exprOf(m, 'db-pool-exhaustion', slow)).toContain(`>= ${P99_AT_TIMEOUT * 45}`);
    expect(exprOf(m, 'db-pool-exhaustion', slow)).toContain(`>= ${FAR_FACTOR} * ${RECORDED.p95Baseline}`);
    expect(exprOf(m, 'task-runs-count-timeout', slow)).toMatch(/"\} >= 7\n/);
    expect(exprOf(m, 'runs-page-slow', slow)).toMatch(/"\} >= 7\n/);
    expect(exprOf(m, 'read-work-pool-hang', slow)).toMatch(/"\} >= 45\n/);
    expect(exprOf(m, 'pending-deadlock', slow)).toContain('>= 90');
  });

  it('sizes rate windows and for: to the scrape interval, never shorter than the persistence rule', () => {
    const m = metricForConvention('prefect');
    const fast = rules(m, DEFAULT_PREFECT_SETTINGS, { scrapeIntervalSeconds: 15 });
    const slowScrape = rules(m, DEFAULT_PREFECT_SETTINGS, { scrapeIntervalSeconds: 60 });
    const pool = (rs: typeof fast) => rs.find((r) => r.labels.insight === 'db-pool-exhaustion')!;
    expect(pool(fast).for).toBe('2m');
    expect(recorded(m, RECORDED.p95)).toContain('[45s]');
    expect(pool(slowScrape).for).toBe('3m');
    expect(recorded(m, RECORDED.p95, { scrapeIntervalSeconds: 60 })).toContain('[3m]');
    expect(fast.find((r) => r.labels.insight === 'http2-agent-stop')!.for).toBe('10m');
  });

  it('converts milliseconds and uses the UTF-8 selector form', () => {
    expect(recorded(metricForConvention('otel-legacy-ms'), RECORDED.mean)).toMatch(/\) \/ 1000$/);
    expect(exprOf(metricForConvention('prefect-utf8'), 'api-outage')).toContain(
      '{__name__="prefect.server.api.request.duration_count"}'
    );
  });

  it('reads 5xx from the companion counter for prometheus-fastapi-instrumentator', () => {
    const e = recorded(metricForConvention('fastapi-instrumentator'), RECORDED.errorRatio);
    expect(e).toContain('http_requests_total{status="5xx"}');
    expect(exprOf(metricForConvention('fastapi-instrumentator'), 'api-overload-http-500')).toContain('on (handler)');
  });

  it('drops the overload rule when 5xx cannot be told apart', () => {
    const m = { ...metricForConvention('prefect'), labels: { route: 'http_route' } };
    expect(rules(m).map((r) => r.labels.insight)).not.toContain('api-overload-http-500');
  });

  it('uses native-histogram functions for native histograms', () => {
    const e = recorded(metricForConvention('otel-stable', { kind: 'native' }), RECORDED.p95);
    expect(e).toBe('histogram_quantile(0.95, sum by (http_route) (rate(http_server_request_duration_seconds[45s])))');
    expect(e).not.toContain('_bucket');
  });

  it('uses the share above the timeout only where a bucket bound sits at it', () => {
    const exact = { ...metricForConvention('prefect'), buckets: [1, 10, 30, 60] };
    expect(exprOf(exact, 'pending-deadlock')).toContain(String.raw`le=~"(60|6e\\+1|6e\\+01|60\\.0)"`);
    const short = { ...metricForConvention('otel-stable'), buckets: [1, 5, 10] };
    expect(exprOf(short, 'pending-deadlock')).not.toContain(RECORDED.p99);
    expect(exprOf(short, 'pending-deadlock')).not.toContain('le=~');
  });

  it('keeps a hostile selector inside its matcher', () => {
    const m = metricForConvention('prefect', { selector: 'job="a\\"}) or vector(1) #\\nx"' });
    const e = exprOf(m, 'api-outage');
    expect(e).toContain('job="a\\"}) or vector(1) #\\nx"');
    expect(e).not.toMatch(/\n#/);
  });

  it('names alerts from ids', () => {
    expect(alertName('http2-agent-stop')).toBe('PrefectHttp2AgentStop');
    expect(alertName('api-overload-http-500')).toBe('PrefectApiOverloadHttp500');
  });
});

describe('rulesYaml', () => {
  it('keeps the header comment on its lines whatever the selector holds', () => {
    const y = rulesYaml(metricForConvention('prefect', { selector: 'job="x\\ny"' }), DEFAULT_PREFECT_SETTINGS, OPTS);
    const comments = y.split('\n').filter((l) => l.startsWith('#'));
    expect(comments).toHaveLength(3);
    expect(y.split('\n')[3]).toBe('groups:');
  });
});

describe('the long-range group', () => {
  const m = metricForConvention('prefect');
  const long = (metric: ResolvedMetric, opts = OPTS) =>
    buildRuleGroups(metric, DEFAULT_PREFECT_SETTINGS, opts).find((g) => g.name === LONG_RANGE_GROUP);

  it('folds the histogram across replicas every 5 minutes, with a window one scrape longer', () => {
    const g = long(m)!;
    expect(g.interval).toBe('5m');
    expect(g.rules.map((r) => (isAlertRule(r) ? r.alert : r.record))).toEqual([
      RECORDED_LONG.bucketRate,
      RECORDED_LONG.countRate,
      RECORDED_LONG.sumRate,
      RECORDED_LONG.errorRate,
      RECORDED_LONG.instanceRate,
      RECORDED_LONG.p50,
      RECORDED_LONG.p95,
      RECORDED_LONG.p99,
    ]);
    expect(recorded(m, RECORDED_LONG.bucketRate)).toBe(
      `sum by (le, ${m.labels.route}) (rate(${m.name}_bucket[5m15s]))`
    );
    expect(recorded(m, RECORDED_LONG.instanceRate)).toBe(
      `sum by (instance, exported_instance) (rate(${m.name}_count[5m15s]))`
    );
  });

  it('records the per-route quantiles from the raw buckets, as the raw scan computes them at each step', () => {
    expect(recorded(m, RECORDED_LONG.p95)).toBe(
      `histogram_quantile(0.95, sum by (le, ${m.labels.route}) (rate(${m.name}_bucket[5m15s])))`
    );
    expect(recorded(m, RECORDED_LONG.p50)).toContain('histogram_quantile(0.5, ');
    expect(recorded(m, RECORDED_LONG.p99)).toContain('histogram_quantile(0.99, ');
    // In seconds whatever the metric's unit: the name says seconds and the scan reads it as it is.
    const ms = { ...m, unit: 'milliseconds' as const };
    expect(recorded(ms, RECORDED_LONG.p95)).toMatch(/^\(histogram_quantile\(0\.95, .*\) \/ 1000$/);
  });

  it('keeps the selector and quotes a dotted route label', () => {
    const dotted = { ...m, labels: { ...m.labels, route: 'http.route' }, selector: 'job="a\\"b"' };
    expect(recorded(dotted, RECORDED_LONG.bucketRate)).toBe(
      `sum by (le, "http.route") (rate(${m.name}_bucket{job="a\\"b"}[5m15s]))`
    );
  });

  it('takes another interval, never one finer than the scrape', () => {
    expect(long(m, { ...OPTS, longRangeIntervalSeconds: 60 } as typeof OPTS)!.interval).toBe('1m');
    expect(() => long(m, { ...OPTS, longRangeIntervalSeconds: 5 } as typeof OPTS)).toThrow(RangeError);
  });

  it('is not generated for a native histogram (no le series to fold)', () => {
    expect(long({ ...m, kind: 'native', buckets: [] })).toBeUndefined();
  });
});
