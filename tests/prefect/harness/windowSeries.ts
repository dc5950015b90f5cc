// The samples one point's rate window holds, read from the very Prometheus the scan read: which requests a windowed
// figure counts is set by the sample times, not by the point's time. rate() sees the increase between the first and
// the last sample of each series in [t − window, t] (left-open in Prometheus 3), so the requests it counts are those
// recorded after the first sample and by the last. A series born inside the window (a route's first 500, say) has one
// sample there and adds nothing: what it counted before its first sample no rate can see.
import { promQuery } from '../../harness/prometheus';

/** One series of the duration histogram in one rate window. */
export interface WindowSeries {
  route: string;
  method: string;
  status: string;
  /** Sample times in the window, ms, ascending. */
  times: number[];
  /** The count's rise from the first sample to the last (a reset makes it negative). */
  increase: number;
}

/** Label names of the resolved metric, as the scan's JSON gives them (`metric.labels`). */
export interface MetricLabels {
  route: string;
  method?: string;
  status?: string;
}

interface RawSeries {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  histograms?: Array<[number, { count: string }]>;
}

/**
 * Every series of `metric` (classic: its `_count`; native: the histogram itself) with its sample times in the rate
 * window ending at `atMs`. The selector is the one rate() gets, so the engine's own window rule (closed in 2.x,
 * left-open in 3.x) decides which samples are in, as it did for the scan.
 */
export async function seriesInWindow(
  prometheusUrl: string,
  metric: { name: string; labels: MetricLabels },
  atMs: number,
  windowSeconds: number
): Promise<WindowSeries[]> {
  const name = metric.name.replace(/[^A-Za-z0-9_:]/g, '');
  const rows = await promQuery<RawSeries[]>(
    prometheusUrl,
    `{__name__=~"${name}(_count)?"}[${Math.round(windowSeconds)}s]`,
    { time: atMs / 1000 }
  );
  const { route, method, status } = metric.labels;
  return rows
    .filter((r) => r.metric[route] !== undefined)
    .map((r) => {
      const samples: Array<[number, number]> = r.values
        ? r.values.map(([t, v]) => [t, Number(v)])
        : (r.histograms ?? []).map(([t, h]) => [t, Number(h.count)]);
      return {
        route: r.metric[route],
        method: (method && r.metric[method]) || '',
        status: (status && r.metric[status]) || '',
        times: samples.map(([t]) => Math.round(t * 1000)),
        increase: samples.length ? samples[samples.length - 1][1] - samples[0][1] : 0,
      };
    });
}
