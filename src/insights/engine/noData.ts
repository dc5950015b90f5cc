// A scan over a range where the metric has no sample is not a clean bill of health: every surface says "no data"
// with these words, never "clear".
import type { RouteSeries } from '../types';

export function noDataMessage(metricName: string): string {
  return `no data for ${metricName} in range`;
}

/** True when some route has a sample (a rate or a latency, an idle 0 included) at or after `fromIndex`. */
export function hasSamplesFrom(routes: readonly RouteSeries[], fromIndex: number): boolean {
  for (const r of routes) {
    for (let i = fromIndex; i < r.rate.length; i++) {
      if (Number.isFinite(r.rate[i]) || Number.isFinite(r.p95[i]) || Number.isFinite(r.mean[i])) {
        return true;
      }
    }
  }
  return false;
}

/** Tells the no-data verdict apart from Prometheus's warnings where both travel as notices. */
export function isNoDataMessage(text: string): boolean {
  return /^no data for .+ in range$/.test(text);
}
