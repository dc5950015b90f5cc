// The metric's scrape interval, for rate windows and step floors of panel queries. Measured with the scan engine's
// probe (samples per 10-minute window) over the last hour of the panel's range; a setting overrides it.
import { probeQuery, PROBE_WINDOW_SECONDS } from '../insights/engine/queries';
import { readProbe } from '../insights/engine/scan';
import type { PrometheusApi, ResolvedMetric } from '../prometheus/types';

const PROBE_SPAN_SECONDS = 3600;

/** Scrape interval in seconds, or null when the data is too thin to tell. */
export async function measureScrapeInterval(
  api: PrometheusApi,
  metric: ResolvedMetric,
  endSeconds: number,
  signal?: AbortSignal
): Promise<number | null> {
  const end = Math.ceil(endSeconds / PROBE_WINDOW_SECONDS) * PROBE_WINDOW_SECONDS;
  const series = await api.queryRange(
    probeQuery(metric),
    { start: end - PROBE_SPAN_SECONDS, end, step: PROBE_WINDOW_SECONDS },
    { signal }
  );
  return readProbe(series).scrapeSeconds;
}
