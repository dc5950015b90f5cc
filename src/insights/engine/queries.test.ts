/** @jest-environment node */
import { STABLE_CLASSIC } from '../../prometheus/testMetrics';
import type { ResolvedMetric } from '../../prometheus/types';
import { probeQuery, QUANTILE_ROLES, routeQueries, targetsScanQuery, TARGET_PART_LABEL } from './queries';

const METRIC: ResolvedMetric = { ...STABLE_CLASSIC, selector: '', buckets: [0.1, 1, 10] };

describe('targetsScanQuery', () => {
  it('keys replicas by instance for series scraped directly', () => {
    const { role, expr } = targetsScanQuery(
      METRIC,
      { jobs: ['prefect'], instances: ['a:4200'] },
      { windowSeconds: 45 }
    );
    expect(role).toBe('targets');
    expect(expr).toContain('max by (instance) (up{job="prefect", instance="a:4200"})');
    expect(expr).toContain(`"${TARGET_PART_LABEL}", "rate"`);
    expect(expr).not.toContain('exported_instance');
  });

  it('keys replicas by exported_instance behind a Collector, returned as instance', () => {
    const { expr } = targetsScanQuery(
      METRIC,
      { jobs: ['prefect'], instances: ['a'], exported: true },
      { windowSeconds: 45 }
    );
    // Behind the Collector its own `instance` is one for every replica: only exported_instance tells them apart.
    expect(expr).toContain('max by (exported_instance) (up{exported_job="prefect", exported_instance="a"})');
    expect(expr).toMatch(/sum by \(exported_instance\)/);
    expect(expr).toContain('"instance", "$1", "exported_instance", "(.*)"');
  });

  it('asks only for rates when the series have no scrape job (pushed over OTLP)', () => {
    const { expr } = targetsScanQuery(METRIC, { jobs: [], instances: [] }, { windowSeconds: 45 });
    expect(expr).not.toContain('up{');
  });
});

describe('probeQuery', () => {
  it('adds the series count only when asked', () => {
    expect(probeQuery(METRIC)).not.toContain(' or ');
    expect(probeQuery(METRIC, { countSeries: true })).toContain(
      `or label_replace(count(count_over_time(http_server_request_duration_seconds_count[10m])), "${TARGET_PART_LABEL}", "series", "", "")`
    );
  });
});

describe('routeQueries: the p95 and p99 together', () => {
  const opts = { windowSeconds: 600, slowThresholdSeconds: 60 };
  // The median is read after the others, where the tail needs it: not one of the pair.
  const quantileReads = (qs: ReturnType<typeof routeQueries>) =>
    qs.filter((q) => QUANTILE_ROLES.has(q.role) && q.afterOthers === undefined);

  it('asks them as one read, tagged apart, budgeted as the two reads it replaces', () => {
    const apart = quantileReads(routeQueries(METRIC, opts));
    const together = quantileReads(routeQueries(METRIC, { ...opts, quantilesTogether: true }));
    expect(apart.map((q) => q.role)).toEqual(['p95', 'p99']);
    expect(together).toHaveLength(1);
    expect(together[0]).toMatchObject({ role: 'p95', tagged: { p99: 'p99' } });
    expect(together[0].expr).toBe(
      `${apart[0].expr} or label_replace(${apart[1].expr}, "${TARGET_PART_LABEL}", "p99", "", "")`
    );
    expect(together[0].seriesPerCounted).toBe(apart[0].seriesPerCounted + apart[1].seriesPerCounted);
  });

  it('leaves the recorded quantiles apart: each is its own series, so one query would share nothing', () => {
    const recorded = { stepSeconds: 300, intervalSeconds: 300 };
    const qs = routeQueries(METRIC, { ...opts, recorded, recordedQuantiles: true, quantilesTogether: true });
    expect(quantileReads(qs).map((q) => q.role)).toEqual(['p95', 'p99']);
    expect(qs.every((q) => q.tagged === undefined)).toBe(true);
  });
});
