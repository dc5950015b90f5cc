// PromQL for the latency metric, whatever its convention: classic (`_bucket`/`_sum`/`_count`, `le`) or native
// histograms, seconds or milliseconds. Every latency result is in SECONDS; every label value goes through escape.ts.
import { escapeExact, labelMatcher, labelRef, metricSelector, quoteRegexMeta, regexAlternation } from './escape';
import { validateSelector } from './selector';
import type { ResolvedMetric, ScrapeTargets } from './types';

export { SelectorError, validateSelector } from './selector';

/**
 * `instance`: the scrape target, or under OTLP the process's `service.instance.id` (one per server replica);
 * `exported_instance`: the same behind a Collector that Prometheus scraped without honor_labels.
 */
export type GroupKey = 'route' | 'method' | 'status' | 'instance' | 'exported_instance';

export interface QueryFilters {
  /** Label values as stored in Prometheus (not normalised). */
  routes?: string[];
  methods?: string[];
  /** Codes (`503`) or classes (`5xx`). */
  statuses?: string[];
}

export interface QueryOptions {
  /** PromQL duration of the rate window, e.g. `45s` (see step.ts rateWindow/formatDuration). */
  window: string;
  groupBy?: GroupKey[];
  filters?: QueryFilters;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const STATUS_CLASS = /^([1-5])xx$/i;

function checkWindow(window: string): string {
  if (!DURATION.test(window)) {
    throw new TypeError(`"${window}" is not a PromQL duration (e.g. 45s, 5m, 1h30m)`);
  }
  return window;
}

function checkQuantile(q: number): number {
  if (!(q >= 0 && q <= 1)) {
    throw new RangeError(`quantile must be between 0 and 1, got ${q}`);
  }
  return q;
}

/** True when 5xx requests can be told apart: a status label on the histogram or a companion counter. */
export function canQueryStatus(m: ResolvedMetric): boolean {
  return Boolean(m.labels.status || m.statusCounter);
}

/** The metric's own label for a group key; on the companion counter the status label is the counter's. */
function labelFor(m: ResolvedMetric, key: GroupKey, onCounter: boolean): string {
  if (key === 'instance' || key === 'exported_instance') {
    return key;
  }
  const name =
    key === 'status'
      ? onCounter
        ? m.statusCounter?.label
        : m.labels.status
      : key === 'route'
        ? m.labels.route
        : m.labels.method;
  if (!name) {
    throw new TypeError(`metric ${m.name} has no ${key} label to group or filter by`);
  }
  return name;
}

function statusRegexPart(value: string, onCounter: boolean): string {
  const cls = STATUS_CLASS.exec(value);
  if (onCounter) {
    // prometheus-fastapi-instrumentator only records classes (`5xx`), so a code is matched by its class.
    const c = cls ? cls[1] : /^[1-5]\d\d$/.test(value) ? value[0] : null;
    return c ? `${c}xx` : quoteRegexMeta(value);
  }
  return cls ? `${cls[1]}..` : quoteRegexMeta(value);
}

function statusMatcher(m: ResolvedMetric, values: string[], onCounter: boolean): string {
  const label = labelFor(m, 'status', onCounter);
  const parts = [...new Set(values.map((v) => statusRegexPart(v, onCounter)))];
  if (parts.length === 1 && quoteRegexMeta(parts[0]) === parts[0]) {
    // A plain value (`503`, or the instrumentator's `5xx`) reads best as an exact matcher.
    return labelMatcher(label, '=', parts[0]);
  }
  const regex = parts.length === 1 ? parts[0] : `(${parts.join('|')})`;
  return `${labelRef(label)}=~"${escapeExact(regex)}"`;
}

function valuesMatcher(label: string, values: string[]): string {
  return values.length === 1
    ? labelMatcher(label, '=', values[0])
    : `${labelRef(label)}=~"${regexAlternation(values)}"`;
}

function filterMatchers(m: ResolvedMetric, filters: QueryFilters | undefined, onCounter: boolean, withStatus = true) {
  const out: string[] = [];
  if (filters?.routes?.length) {
    out.push(valuesMatcher(labelFor(m, 'route', onCounter), filters.routes));
  }
  if (filters?.methods?.length) {
    out.push(valuesMatcher(labelFor(m, 'method', onCounter), filters.methods));
  }
  if (withStatus && filters?.statuses?.length) {
    out.push(statusMatcher(m, filters.statuses, onCounter));
  }
  return out;
}

function sumBy(labels: string[], expr: string): string {
  return labels.length === 0 ? `sum(${expr})` : `sum by (${labels.map(labelRef).join(', ')}) (${expr})`;
}

function groupLabels(m: ResolvedMetric, groupBy: GroupKey[] | undefined, onCounter: boolean): string[] {
  return [...new Set(groupBy ?? [])].map((k) => labelFor(m, k, onCounter));
}

function select(m: ResolvedMetric, name: string, matchers: string[]): string {
  return metricSelector(name, [validateSelector(m.selector), ...matchers]);
}

export function toSeconds(m: ResolvedMetric, expr: string): string {
  return m.unit === 'milliseconds' ? `(${expr}) / 1000` : expr;
}

/** A threshold in seconds written in the metric's unit, without float noise (0.3 s -> 300 ms, not 300.00000000000006). */
export function inMetricUnit(m: ResolvedMetric, seconds: number): number {
  return m.unit === 'milliseconds' ? Number((seconds * 1000).toPrecision(12)) : seconds;
}

function needsStatusCounter(m: ResolvedMetric, opts: QueryOptions): boolean {
  const wantsStatus = Boolean(opts.groupBy?.includes('status') || opts.filters?.statuses?.length);
  return wantsStatus && !m.labels.status && Boolean(m.statusCounter);
}

/** Requests per second of the histogram (classic `_count` or native histogram_count), summed by `labels`. */
function histogramRequestRate(m: ResolvedMetric, matchers: string[], labels: string[], window: string): string {
  return m.kind === 'native'
    ? sumBy(labels, `histogram_count(rate(${select(m, m.name, matchers)}[${window}]))`)
    : sumBy(labels, `rate(${select(m, `${m.name}_count`, matchers)}[${window}])`);
}

function counterRequestRate(m: ResolvedMetric, matchers: string[], labels: string[], window: string): string {
  return sumBy(labels, `rate(${select(m, m.statusCounter!.name, matchers)}[${window}])`);
}

/** `q`-quantile of latency in seconds, per group. */
export function quantileQuery(m: ResolvedMetric, q: number, opts: QueryOptions): string {
  const window = checkWindow(opts.window);
  const labels = groupLabels(m, opts.groupBy, false);
  const matchers = filterMatchers(m, opts.filters, false);
  const expr =
    m.kind === 'native'
      ? `histogram_quantile(${checkQuantile(q)}, ${sumBy(labels, `rate(${select(m, m.name, matchers)}[${window}])`)})`
      : `histogram_quantile(${checkQuantile(q)}, ${sumBy(['le', ...labels], `rate(${select(m, `${m.name}_bucket`, matchers)}[${window}])`)})`;
  return toSeconds(m, expr);
}

/**
 * Several reads asked as one query: `first` as it is, each of `others` with `label="part"` added, so that `or`
 * keeps every series of every read (a tagged series never has the same labels as an untagged one).
 */
export function taggedUnion(
  label: string,
  first: string,
  others: ReadonlyArray<{ part: string; expr: string }>
): string {
  const name = escapeExact(labelRef(label));
  return [first, ...others.map((o) => `label_replace(${o.expr}, "${name}", "${escapeExact(o.part)}", "", "")`)].join(
    ' or '
  );
}

/** Requests per second, per group. Uses the companion counter only when statuses are asked for and it holds them. */
export function requestRateQuery(m: ResolvedMetric, opts: QueryOptions): string {
  const window = checkWindow(opts.window);
  const onCounter = needsStatusCounter(m, opts);
  const labels = groupLabels(m, opts.groupBy, onCounter);
  const matchers = filterMatchers(m, opts.filters, onCounter);
  return onCounter
    ? counterRequestRate(m, matchers, labels, window)
    : histogramRequestRate(m, matchers, labels, window);
}

/** 5xx and total request rates from the same source, status grouping and filters dropped (they define the 5xx). */
export function errorParts(m: ResolvedMetric, opts: QueryOptions): { errors: string; total: string } {
  const window = checkWindow(opts.window);
  const groupBy = (opts.groupBy ?? []).filter((k) => k !== 'status');
  if (m.labels.status) {
    const labels = groupLabels(m, groupBy, false);
    const matchers = filterMatchers(m, opts.filters, false, false);
    return {
      errors: histogramRequestRate(m, [...matchers, statusMatcher(m, ['5xx'], false)], labels, window),
      total: histogramRequestRate(m, matchers, labels, window),
    };
  }
  if (m.statusCounter) {
    const labels = groupLabels(m, groupBy, true);
    const matchers = filterMatchers(m, opts.filters, true, false);
    return {
      errors: counterRequestRate(m, [...matchers, statusMatcher(m, ['5xx'], true)], labels, window),
      total: counterRequestRate(m, matchers, labels, window),
    };
  }
  throw new TypeError(`metric ${m.name} has no status label and no status counter: 5xx cannot be told apart`);
}

/**
 * 5xx requests per second. Groups that served requests but no 5xx get 0 (not a missing series), so "no errors"
 * and "no data" stay distinguishable.
 */
export function errorRateQuery(m: ResolvedMetric, opts: QueryOptions): string {
  const { errors, total } = errorParts(m, opts);
  return `${errors} or (0 * ${total})`;
}

/** Share (0..1) of 5xx among all requests. For prometheus-fastapi-instrumentator it reads `http_requests_total{status="5xx"}`. */
export function errorRatioQuery(m: ResolvedMetric, opts: QueryOptions): string {
  const { errors, total } = errorParts(m, opts);
  return `(${errors} or (0 * ${total})) / ${total}`;
}

/**
 * The mean's two halves, in the metric's unit: the `_sum` rate and the `_count` rate it is divided by (the request
 * rate of requestRateQuery without a status counter). The scan divides them itself where it reads that rate anyway.
 */
export function meanLatencyParts(m: ResolvedMetric, opts: QueryOptions): { sum: string; total: string } {
  const window = checkWindow(opts.window);
  const labels = groupLabels(m, opts.groupBy, false);
  const matchers = filterMatchers(m, opts.filters, false);
  return m.kind === 'native'
    ? {
        sum: sumBy(labels, `histogram_sum(rate(${select(m, m.name, matchers)}[${window}]))`),
        total: sumBy(labels, `histogram_count(rate(${select(m, m.name, matchers)}[${window}]))`),
      }
    : {
        sum: sumBy(labels, `rate(${select(m, `${m.name}_sum`, matchers)}[${window}])`),
        total: sumBy(labels, `rate(${select(m, `${m.name}_count`, matchers)}[${window}])`),
      };
}

/** Mean latency in seconds (`_sum`/`_count`): exact, also above the largest bucket. */
export function meanLatencyQuery(m: ResolvedMetric, opts: QueryOptions): string {
  const { sum, total } = meanLatencyParts(m, opts);
  return toSeconds(m, `${sum} / ${total}`);
}

/**
 * Each group's share (0..1) of all the time the server spent answering (`_sum` rate over the total `_sum` rate): the
 * routes that cost the most in aggregate, which are not always the slowest per request. The route filter narrows the
 * groups shown, never the total, so shares stay shares of the whole server.
 */
export function timeShareQuery(m: ResolvedMetric, opts: QueryOptions): string {
  const window = checkWindow(opts.window);
  const labels = groupLabels(m, opts.groupBy, false);
  const matchers = filterMatchers(m, opts.filters, false);
  const totalMatchers = filterMatchers(m, { ...opts.filters, routes: undefined }, false);
  const timeRate = (ms: string[]) =>
    m.kind === 'native'
      ? `histogram_sum(rate(${select(m, m.name, ms)}[${window}]))`
      : `rate(${select(m, `${m.name}_sum`, ms)}[${window}])`;
  return `${sumBy(labels, timeRate(matchers))} / scalar(${sumBy([], timeRate(totalMatchers))})`;
}

/** Label that statusMixQuery writes the status class (`2xx` … `5xx`) into. */
export const STATUS_CLASS_LABEL = 'status_class';

/**
 * Share (0..1) of requests per status class (`2xx`, `4xx`, `5xx`, …), per group. Codes (`503`) and the classes the
 * fastapi instrumentator records (`5xx`) both map to their class. The status filter is dropped: it is what is mixed.
 */
export function statusMixQuery(m: ResolvedMetric, opts: QueryOptions): string {
  if (!canQueryStatus(m)) {
    throw new TypeError(`metric ${m.name} has no status label and no status counter: no status mix`);
  }
  const window = checkWindow(opts.window);
  const onCounter = !m.labels.status;
  const groupBy = (opts.groupBy ?? []).filter((k) => k !== 'status');
  const labels = groupLabels(m, groupBy, onCounter);
  const matchers = filterMatchers(m, opts.filters, onCounter, false);
  const statusLabel = labelFor(m, 'status', onCounter);
  const perSeries = onCounter
    ? `rate(${select(m, m.statusCounter!.name, matchers)}[${window}])`
    : m.kind === 'native'
      ? `histogram_count(rate(${select(m, m.name, matchers)}[${window}]))`
      : `rate(${select(m, `${m.name}_count`, matchers)}[${window}])`;
  // `${1}xx`, not `$1xx`: Go's regexp expansion would read `$1xx` as a group named "1xx" and write nothing.
  const classed = `label_replace(${perSeries}, "${STATUS_CLASS_LABEL}", "\${1}xx", "${escapeExact(statusLabel)}", "([1-5]).*")`;
  const byClass = sumBy([...labels, STATUS_CLASS_LABEL], classed);
  const total = sumBy(labels, perSeries);
  return `${byClass} / ignoring(${STATUS_CLASS_LABEL}) group_left ${total}`;
}

/** Bounds used for native-histogram heatmaps when the metric has no classic buckets (OpenTelemetry's defaults). */
export const DEFAULT_HEATMAP_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * Cumulative request rate per `le` bucket (Grafana's heatmap "le" layout). Classic histograms keep their own `le`
 * labels, which are in the metric's unit (milliseconds for otel-legacy-ms: labels cannot be divided). Native
 * histograms are cut at `m.buckets` (or DEFAULT_HEATMAP_BOUNDS) with `le` in seconds, plus `+Inf`.
 */
export function heatmapQuery(m: ResolvedMetric, opts: QueryOptions): string {
  const window = checkWindow(opts.window);
  const labels = groupLabels(m, opts.groupBy, false);
  const matchers = filterMatchers(m, opts.filters, false);
  if (m.kind === 'classic') {
    return sumBy(['le', ...labels], `rate(${select(m, `${m.name}_bucket`, matchers)}[${window}])`);
  }
  const hist = sumBy(labels, `rate(${select(m, m.name, matchers)}[${window}])`);
  const bounds = m.buckets.length > 0 ? m.buckets : DEFAULT_HEATMAP_BOUNDS;
  const parts = bounds.map(
    (b) =>
      `label_replace(histogram_fraction(0, ${inMetricUnit(m, b)}, ${hist}) * histogram_count(${hist}), "le", "${escapeExact(String(b))}", "", "")`
  );
  parts.push(`label_replace(histogram_count(${hist}), "le", "+Inf", "", "")`);
  return parts.join(' or ');
}

/** Textual forms an exporter may have written a bucket bound in (`10`, `10.0`, `1e+01`…), as one regex. */
export function leRegex(bound: number): string {
  const forms = new Set<string>([
    String(bound),
    bound.toExponential(),
    bound.toExponential().replace(/e([+-])(\d)$/, 'e$10$2'),
  ]);
  if (Number.isInteger(bound)) {
    forms.add(`${bound}.0`);
  }
  return regexAlternation([...forms]);
}

export interface SlowShareQuery {
  /** null when no bucket bound lies at or below the threshold (the buckets cannot tell). */
  expr: string | null;
  /** The bound actually used, in seconds: the threshold itself for native histograms. */
  boundSeconds: number | null;
  /** True when the bound equals the threshold. */
  exact: boolean;
  /**
   * The share's denominator (classic histograms): where it equals the scan's rate query, the scan may read the
   * share sparsely and know the points left out (queries.ts, zeroFill).
   */
  total?: string;
  /**
   * The slow requests' rate, the share's numerator over `total`, where it reads cheaper than the share (the
   * long-range recordings, recorded.ts): the scan then divides it by its rate read itself (queries.ts, overRate).
   */
  slowRate?: string;
}

/**
 * Share (0..1) of requests slower than `thresholdSeconds`. Classic histograms can only count at a bucket bound: we
 * use the largest bound at or below the threshold, so the share is an upper estimate (it also counts requests between
 * that bound and the threshold); callers see `boundSeconds` and decide whether it is close enough. Native histograms
 * use histogram_fraction at the threshold itself (interpolated inside its bucket).
 */
/** The bucket bound a slow share is counted at: the largest at or below the threshold, null when none is. */
export function slowShareBound(buckets: readonly number[], thresholdSeconds: number): number | null {
  const below = buckets.filter((b) => b <= thresholdSeconds);
  // The contract says ascending, but a user-typed or merged bucket list need not be: take the largest, not the last.
  return below.length === 0 ? null : Math.max(...below);
}

export function slowShareQuery(m: ResolvedMetric, thresholdSeconds: number, opts: QueryOptions): SlowShareQuery {
  const window = checkWindow(opts.window);
  const labels = groupLabels(m, opts.groupBy, false);
  const matchers = filterMatchers(m, opts.filters, false);
  if (m.kind === 'native') {
    const hist = sumBy(labels, `rate(${select(m, m.name, matchers)}[${window}])`);
    return {
      expr: `1 - histogram_fraction(0, ${inMetricUnit(m, thresholdSeconds)}, ${hist})`,
      boundSeconds: thresholdSeconds,
      exact: true,
    };
  }
  const bound = slowShareBound(m.buckets, thresholdSeconds);
  if (bound === null) {
    return { expr: null, boundSeconds: null, exact: false };
  }
  const le = `le=~"${leRegex(inMetricUnit(m, bound))}"`;
  const fast = sumBy(labels, `rate(${select(m, `${m.name}_bucket`, [...matchers, le])}[${window}])`);
  const total = sumBy(labels, `rate(${select(m, `${m.name}_count`, matchers)}[${window}])`);
  return { expr: `1 - (${fast} / ${total})`, boundSeconds: bound, exact: bound === thresholdSeconds, total };
}

/**
 * Share (0..1) of requests above the largest finite bucket bound (the `+Inf` bucket), with that bound. Quantiles
 * cannot see past it; this share and the exact mean can (see src/insights/toolkit/tail.ts). Null for native
 * histograms (no fixed largest bound) and for classic histograms without known buckets.
 */
export function tailShareQuery(m: ResolvedMetric, opts: QueryOptions): TailShareQuery | null {
  return tailShareFrom(m, (t) => slowShareQuery(m, t, opts));
}

export interface TailShareQuery {
  expr: string;
  boundSeconds: number;
}

/** The tail share from any slow-share builder (the raw one above, or the long-range recordings' in recorded.ts). */
export function tailShareFrom(
  m: ResolvedMetric,
  slowShare: (thresholdSeconds: number) => SlowShareQuery
): TailShareQuery | null {
  if (m.kind !== 'classic' || m.buckets.length === 0) {
    return null;
  }
  const largest = Math.max(...m.buckets);
  const s = slowShare(largest);
  return s.expr === null ? null : { expr: s.expr, boundSeconds: largest };
}

/** The `n` routes with the highest `q`-quantile latency (seconds). */
export function topSlowRoutesQuery(m: ResolvedMetric, n: number, q: number, opts: QueryOptions): string {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`n must be a positive integer, got ${n}`);
  }
  const groupBy: GroupKey[] = ['route', ...(opts.groupBy ?? []).filter((k) => k !== 'route')];
  return `topk(${n}, ${quantileQuery(m, q, { ...opts, groupBy })})`;
}

/**
 * `up` of the scrape targets behind the metric's series: matched by their `job` (and `instance` where given), or
 * by `exported_job`/`exported_instance` when the series came through a Collector; never another service's. The caller gets jobs/instances from the series themselves (see resolve.ts listTargets).
 */
export function upQuery(_m: ResolvedMetric, targets: ScrapeTargets): string {
  if (targets.jobs.length === 0) {
    throw new TypeError('upQuery needs the job of the selected series');
  }
  const [job, instance] = targets.exported ? ['exported_job', 'exported_instance'] : ['job', 'instance'];
  const matchers = [valuesMatcher(job, targets.jobs)];
  if (targets.instances.length > 0) {
    matchers.push(valuesMatcher(instance, targets.instances));
  }
  return metricSelector('up', matchers);
}
