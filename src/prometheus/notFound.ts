// Why the latency histogram was not found, told apart, because each cause has a different fix: a selector that
// matches none of the metric's series, a metric whose data lies outside the range, a metric name Prometheus does
// not have, or no histogram at all (only this last one calls for instrumenting the server). Asked only after the
// resolution failed, so a healthy setup never pays for these requests.
import { escapeExact, metricSelector } from './escape';
import { selectorLabels } from './selector';
import type { PrometheusApi } from './types';

export interface UnixRange {
  /** unix seconds */
  start: number;
  /** unix seconds */
  end: number;
}

/** How to get the metric, for messages shown when there is none (four short lines). */
export const INSTRUMENTATION_RECIPE = [
  'pip install opentelemetry-distro opentelemetry-instrumentation-fastapi opentelemetry-exporter-prometheus',
  'OTEL_SEMCONV_STABILITY_OPT_IN=http OTEL_METRICS_EXPORTER=prometheus opentelemetry-instrument prefect server start',
  'then scrape the server on port 9464 (or send OTLP to a Collector, which can rename the metric',
  'to prefect.server.api.request.duration); the plugin recognises either name.',
];

export type NotFoundReason =
  /** The metric has series in the range, none of them matched by the selector. */
  | 'selector'
  /** The metric (with the selector) has samples near the range but none in it. */
  | 'outside-range'
  /** The metric the user named does not exist; other histograms do. */
  | 'unknown-metric'
  /** None of the known names exists; other histograms do. */
  | 'other-histograms'
  /** No histogram at all. */
  | 'no-histogram'
  /** The metric exists but its labels cannot serve (no route label, only the mount point). */
  | 'labels';

export class MetricNotFoundError extends Error {
  readonly lookedFor: string[];
  readonly reason: NotFoundReason;
  constructor(message: string, lookedFor: string[], reason: NotFoundReason) {
    super(message);
    this.name = 'MetricNotFoundError';
    this.lookedFor = lookedFor;
    this.reason = reason;
  }
}

/** How far around the range data still counts as "outside the range" rather than absent. */
export const NEARBY_SECONDS = 30 * 86400;
// Prometheus refuses more than 11,000 points per series; the first look stays well under it.
const MAX_POINTS = 10_000;
// The second look, at the edge found by the first: fine enough to give the minute.
const FINE_STEP_SECONDS = 15;
const SHOWN_VALUES = 8;
const SHOWN_HISTOGRAMS = 12;

function isoMinute(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

/** RFC 3339 to the second, as `--from`/`--to` and Grafana's time picker take it. */
function rfc3339(unixSeconds: number): string {
  return new Date(Math.round(unixSeconds) * 1000).toISOString().replace('.000Z', 'Z');
}

function between(range: UnixRange): string {
  return `between ${isoMinute(range.start)} and ${isoMinute(range.end)} UTC`;
}

function codeList(names: string[], max: number): string {
  const shown = names.slice(0, max).map((n) => `\`${n}\``);
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

/** The classic (`_count`) and native (plain name) selectors of every spelling looked for. */
function presenceSelectors(names: string[], selector: string): string[] {
  return names.flatMap((n) => [metricSelector(`${n}_count`, [selector]), metricSelector(n, [selector])]);
}

function baseName(name: string): string {
  return name.replace(/_(count|bucket|sum)$/, '');
}

/** `job="prefect-server", "billing"` for each label of the selector, from the metric's series in the range. */
function existingValues(series: Array<Record<string, string>>, labels: string[]): string {
  return labels
    .map((label) => {
      const values = [...new Set(series.map((s) => s[label]).filter((v): v is string => v !== undefined))].sort();
      if (values.length === 0) {
        return `no series has the label \`${label}\``;
      }
      const shown = values.slice(0, SHOWN_VALUES).map((v) => `"${escapeExact(v)}"`);
      const more = values.length > SHOWN_VALUES ? ` and ${values.length - SHOWN_VALUES} more` : '';
      return `${label} = ${shown.join(', ')}${more}`;
    })
    .join('; ');
}

interface Seen {
  /** First and last step at which a sample was in look-back. */
  firstStep: number;
  lastStep: number;
  /** Earliest and latest sample time seen at those steps. */
  earliest: number;
  latest: number;
}

/** When the selectors' samples were seen over [start, end] at `step`, or null when never. */
async function seen(
  api: PrometheusApi,
  selectors: string[],
  range: { start: number; end: number; step: number },
  fn: 'min' | 'max'
): Promise<Seen | null> {
  const expr = `${fn}(${selectors.map((s) => `timestamp(${s})`).join(' or ')})`;
  let out: Seen | null = null;
  for (const s of await api.queryRange(expr, range)) {
    for (const [t, text] of s.values) {
      const v = Number(text);
      if (!Number.isFinite(v)) {
        continue;
      }
      out = out ?? { firstStep: t, lastStep: t, earliest: v, latest: v };
      out.firstStep = Math.min(out.firstStep, t);
      out.lastStep = Math.max(out.lastStep, t);
      out.earliest = Math.min(out.earliest, v);
      out.latest = Math.max(out.latest, v);
    }
  }
  return out;
}

/**
 * Where the data lies when it is near the range but not in it: first and last sample, to the second. A coarse look
 * over the range ± NEARBY_SECONDS finds the steps; a fine look between neighbouring steps finds the samples
 * themselves (a sample is seen only at steps within Prometheus's 5-minute look-back after it, so the coarse look
 * may step over the first one, and sees the last one only as the latest of its step).
 */
async function nearbyData(
  api: PrometheusApi,
  selectors: string[],
  range: UnixRange
): Promise<{ first: number; last: number } | null> {
  const start = range.start - NEARBY_SECONDS;
  const end = range.end + NEARBY_SECONDS;
  const step = Math.max(60, Math.ceil((end - start) / MAX_POINTS));
  const coarse = await seen(api, selectors, { start, end, step }, 'max');
  if (coarse === null) {
    return null;
  }
  const fine = async (from: number, to: number, fn: 'min' | 'max') =>
    seen(api, selectors, { start: from, end: to, step: FINE_STEP_SECONDS }, fn);
  const first = await fine(coarse.firstStep - step, coarse.firstStep, 'min');
  const last = await fine(coarse.latest, coarse.lastStep + step, 'max');
  return { first: first?.earliest ?? coarse.firstStep, last: last?.latest ?? coarse.latest };
}

/** Names of the classic histograms Prometheus has in the range (from their `_bucket` series), sorted. */
async function histogramNames(api: PrometheusApi, range: UnixRange): Promise<string[]> {
  const names = await api.labelValues('__name__', ['{__name__=~".+_bucket"}'], range.start, range.end);
  return [...new Set(names.map(baseName))].sort();
}

/**
 * The error for a resolution that found nothing: which of the causes it is, with what the user needs to fix it.
 * `names` are the spellings looked for; `named` when the user chose the metric.
 */
export async function diagnoseNotFound(
  api: PrometheusApi,
  names: string[],
  selector: string,
  range: UnixRange,
  named: boolean
): Promise<MetricNotFoundError> {
  const looked = codeList(names, names.length);
  if (selector) {
    const unselected = await api.series(presenceSelectors(names, ''), range.start, range.end);
    if (unselected.length > 0) {
      const metric = baseName(unselected[0].__name__ ?? names[0]);
      return new MetricNotFoundError(
        `The selector \`${selector}\` matches none of the ${unselected.length} series of \`${metric}\` ${between(range)}. ` +
          `The values there: ${existingValues(unselected, selectorLabels(selector))}. Correct the selector.`,
        names,
        'selector'
      );
    }
  }
  const nearby = await nearbyData(api, presenceSelectors(names, selector), range);
  if (nearby) {
    const series = await api.series(presenceSelectors(names, selector), nearby.first, nearby.last);
    const metric = series.length > 0 ? `\`${baseName(series[0].__name__ ?? names[0])}\`` : looked;
    const sel = selector ? ` with selector \`${selector}\`` : '';
    const side =
      nearby.last < range.start
        ? `was last seen at ${rfc3339(nearby.last)}`
        : `first appears at ${rfc3339(nearby.first)}`;
    return new MetricNotFoundError(
      `${metric}${sel} has no samples ${between(range)}: it ${side}. Its data near this range spans ` +
        `${rfc3339(nearby.first)} .. ${rfc3339(nearby.last)}; choose a time range that overlaps it.`,
      names,
      'outside-range'
    );
  }
  const histograms = await histogramNames(api, range);
  const sel = selector ? ` with selector \`${selector}\`` : '';
  if (histograms.length > 0 && named) {
    return new MetricNotFoundError(
      `No histogram ${looked}${sel} ${between(range)} or within ${NEARBY_SECONDS / 86400} days of it. ` +
        `The histograms there: ${codeList(histograms, SHOWN_HISTOGRAMS)}. Name one of them as the metric.`,
      names,
      'unknown-metric'
    );
  }
  if (histograms.length > 0) {
    return new MetricNotFoundError(
      `None of the API latency histograms the plugin knows (${looked})${sel} has data ${between(range)}. ` +
        `The histograms there: ${codeList(histograms, SHOWN_HISTOGRAMS)}; if one is the Prefect server's API latency, ` +
        `name it as the metric. Otherwise instrument the Prefect server:\n${INSTRUMENTATION_RECIPE.join('\n')}`,
      names,
      'other-histograms'
    );
  }
  return new MetricNotFoundError(
    `No histogram at all ${between(range)} (looked for ${looked}${sel}). ` +
      `To get the API latency histogram, instrument the Prefect server:\n${INSTRUMENTATION_RECIPE.join('\n')}`,
    names,
    'no-histogram'
  );
}
