// The metric as a convention writes it by default, for generating rules without a Prometheus to resolve against
// (`prefect-insights rules --convention otel-stable`, the compose stack's rule file, the promtool tests).
import { CONVENTIONS, getConvention } from '../prometheus/conventions';
import { validateSelector } from '../prometheus/selector';
import type { HistogramKind, ResolvedMetric } from '../prometheus/types';

export function conventionIds(): string[] {
  return CONVENTIONS.map((c) => c.id);
}

export function metricForConvention(
  id: string,
  opts: { selector?: string; kind?: HistogramKind } = {}
): ResolvedMetric {
  const c = getConvention(id);
  if (!c) {
    throw new TypeError(`unknown convention "${id}": one of ${conventionIds().join(', ')}`);
  }
  const m: ResolvedMetric = {
    conventionId: c.id,
    name: c.name,
    kind: opts.kind ?? 'classic',
    unit: c.unit,
    labels: { ...c.usualLabels },
    selector: validateSelector(opts.selector ?? ''),
    // Unknown without data: the rules then use what every bucket layout supports.
    buckets: [],
  };
  if (c.statusCounter && !m.labels.status) {
    m.statusCounter = { ...c.statusCounter };
  }
  return m;
}
