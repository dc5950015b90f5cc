// Requests in flight by Little's law: arrival rate × mean time in the system, summed over routes. Set against the
// operator's pool capacity (pool_size + max_overflow) it says whether the pool could have held the load at all.
import type { RouteSeries } from '../types';

/** Per grid point, Σ rate × mean over the routes where both are known; NaN where no route is. */
export function inFlightSeries(routes: readonly RouteSeries[], length: number): Float64Array {
  const out = new Float64Array(length).fill(NaN);
  for (const r of routes) {
    for (let i = 0; i < length; i++) {
      const v = r.rate[i] * r.mean[i];
      if (v >= 0) {
        out[i] = out[i] !== out[i] ? v : out[i] + v;
      }
    }
  }
  return out;
}

/** How the estimate compares with the configured capacity, in words for the evidence. */
export function describeInFlight(peak: number, poolSize: number, maxOverflow: number): string {
  const capacity = poolSize + maxOverflow;
  if (!Number.isFinite(peak)) {
    return '';
  }
  const n = peak >= 10 ? Math.round(peak) : Math.round(peak * 10) / 10;
  const verdict = peak > capacity ? 'more than the pool holds' : 'within the pool';
  return (
    `; ≈ ${n} requests in flight (rate × mean latency), ${verdict}: ` +
    `pool_size ${poolSize} + max_overflow ${maxOverflow} = ${capacity} per server process`
  );
}
