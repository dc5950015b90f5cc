// Finds which latency metric this Prometheus has, in which shape, with which labels: the conventions in order (or
// the user's choice), one `series` request per candidate, plus one for the bucket bounds of the one found.
import { CONVENTIONS, conventionLabel } from './conventions';
import { labelMatcher, labelRef, metricSelector } from './escape';
import { DOUBLED_LAYERS_NOTE, MOUNT_POINT_FIX, isMountPoint, looksDoubled, mountPointMatchers } from './mountPoint';
import { diagnoseNotFound, MetricNotFoundError, type UnixRange } from './notFound';
import { validateSelector } from './selector';
import type {
  HistogramKind,
  MetricConvention,
  MetricOverrides,
  PrometheusApi,
  ResolvedMetric,
  ScrapeTargets,
  Unit,
} from './types';

export { INSTRUMENTATION_RECIPE, MetricNotFoundError, type NotFoundReason, type UnixRange } from './notFound';

/** An error about the labels of a metric that exists: no instrumentation advice, the metric is there. */
function labelsError(name: string, range: UnixRange, problem: string): MetricNotFoundError {
  const when = `${isoMinute(range.start)} and ${isoMinute(range.end)} UTC`;
  return new MetricNotFoundError(`\`${name}\` between ${when} ${problem}`, [name], 'labels');
}

function isoMinute(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

const SUFFIX = /_(bucket|sum|count)$/;
// Generic HTTP metrics may come from several services; these labels tell the Prefect one apart. `service.name` is
// the resource attribute promoted under a UTF-8 OTLP strategy, `exported_job` the job behind a Collector.
const SERVICE_LABELS = ['service_name', 'service.name', 'exported_job', 'job'];
const MAX_SERIES_CHECKED = 20000;

function guessUnit(name: string): Unit {
  return /(_|\.)(milliseconds|ms)($|_|\.)/.test(name) ? 'milliseconds' : 'seconds';
}

function candidatesFor(overrides: MetricOverrides): MetricConvention[] {
  if (!overrides.metric) {
    return CONVENTIONS;
  }
  const name = overrides.metric.trim().replace(SUFFIX, '');
  const known = CONVENTIONS.find((c) => c.spellings.includes(name));
  if (known) {
    // The user named one spelling: look for that one only.
    return [{ ...known, spellings: [name] }];
  }
  const template = CONVENTIONS[0];
  return [
    {
      id: 'custom',
      name,
      spellings: [name],
      unit: guessUnit(name),
      description: 'chosen in the data source settings',
      routeLabels: template.routeLabels,
      methodLabels: template.methodLabels,
      statusLabels: template.statusLabels,
      usualLabels: template.usualLabels,
    },
  ];
}

function checkLabelOverrides(overrides: MetricOverrides) {
  const given: Array<[string, string | undefined]> = [
    ['route', overrides.routeLabel],
    ['method', overrides.methodLabel],
    ['status', overrides.statusLabel],
  ];
  for (const [what, name] of given) {
    if (!name) {
      continue;
    }
    try {
      labelRef(name);
    } catch {
      throw new TypeError(`The ${what} label "${name}" is not a valid Prometheus label name.`);
    }
  }
}

function pickLabel(override: string | undefined, candidates: string[], present: Set<string>): string | undefined {
  return override || candidates.find((c) => present.has(c));
}

/**
 * When no selector is given and a generic HTTP metric comes from several services, keep the one whose
 * service_name (or job) mentions Prefect. Returns null when there is nothing to choose.
 */
function prefectService(series: Array<Record<string, string>>): { label: string; value: string } | null {
  for (const label of SERVICE_LABELS) {
    const values = [...new Set(series.map((s) => s[label]).filter((v): v is string => v !== undefined))];
    if (values.length <= 1) {
      continue;
    }
    const prefect = values.filter((v) => /prefect/i.test(v));
    if (prefect.length === 1) {
      return { label, value: prefect[0] };
    }
  }
  return null;
}

function toSeconds(value: number, unit: Unit): number {
  return unit === 'milliseconds' ? Number((value / 1000).toPrecision(12)) : value;
}

async function readBuckets(
  api: PrometheusApi,
  bucketSelector: string,
  unit: Unit,
  range: UnixRange
): Promise<number[]> {
  const values = await api.labelValues('le', [bucketSelector], range.start, range.end);
  const bounds = values.map(Number).filter((b) => Number.isFinite(b));
  return [...new Set(bounds.map((b) => toSeconds(b, unit)))].sort((a, b) => a - b);
}

/**
 * The first spelling (in the convention's order) with series of the wanted kind: classic (`_count`) before native
 * unless the kind is forced. Null when no spelling has any.
 */
function pickSpelling(
  spellings: string[],
  series: Array<Record<string, string>>,
  forced: HistogramKind | undefined
): { name: string; kind: HistogramKind; series: Array<Record<string, string>> } | null {
  const kinds: HistogramKind[] = forced ? [forced] : ['classic', 'native'];
  for (const kind of kinds) {
    for (const name of spellings) {
      const want = kind === 'classic' ? `${name}_count` : name;
      const matching = series.filter((s) => s.__name__ === want);
      if (matching.length > 0) {
        return { name, kind, series: matching };
      }
    }
  }
  return null;
}

/**
 * Resolves the latency metric. Throws MetricNotFoundError when no candidate has series in the range, its message
 * naming the cause and its fix (see notFound.ts), and TypeError/SelectorError for invalid overrides.
 */
export async function resolveMetric(
  api: PrometheusApi,
  overrides: MetricOverrides,
  range: UnixRange
): Promise<ResolvedMetric> {
  const userSelector = validateSelector(overrides.selector ?? '');
  checkLabelOverrides(overrides);
  const candidates = candidatesFor(overrides);
  for (const c of candidates) {
    // One request per convention covers all its spellings, classic (`_count`) and native (the base name).
    const all = await api.series(
      c.spellings.flatMap((n) => [metricSelector(`${n}_count`, [userSelector]), metricSelector(n, [userSelector])]),
      range.start,
      range.end
    );
    const found = pickSpelling(c.spellings, all, overrides.kind);
    if (!found) {
      continue;
    }
    const { name, kind } = found;
    let series = found.series;
    const service = userSelector ? null : prefectService(series);
    if (service) {
      series = series.filter((s) => s[service.label] === service.value);
    }
    const selector = service ? labelMatcher(service.label, '=', service.value) : userSelector;
    const present = new Set<string>();
    for (const s of series.slice(0, MAX_SERIES_CHECKED)) {
      for (const k of Object.keys(s)) {
        present.add(k);
      }
    }
    const route = pickLabel(overrides.routeLabel, c.routeLabels, present);
    if (!route) {
      throw labelsError(
        name,
        range,
        `has none of the route labels ${c.routeLabels.join(', ')}: set the route label in the data source settings.`
      );
    }
    const routeValues = series.map((s) => s[route] ?? '');
    if (routeValues.length > 0 && routeValues.every(isMountPoint)) {
      throw labelsError(
        name,
        range,
        `has ${route}="/api" on every series, the mount point of Prefect's API app, so no route can be told apart: ${MOUNT_POINT_FIX}.`
      );
    }
    const mount = mountPointMatchers(route, routeValues);
    const fullSelector = [selector, ...mount].filter((m) => m !== '').join(', ');
    const unit = overrides.unit ?? c.unit;
    const buckets =
      kind === 'classic' ? await readBuckets(api, metricSelector(`${name}_bucket`, [fullSelector]), unit, range) : [];
    const resolved: ResolvedMetric = {
      conventionId: c.id,
      name,
      kind,
      unit,
      labels: {
        route,
        method: pickLabel(overrides.methodLabel, c.methodLabels, present),
        status: pickLabel(overrides.statusLabel, c.statusLabels, present),
      },
      selector: fullSelector,
      buckets,
    };
    if (mount.length > 0) {
      resolved.notes = [`left out the \`${route}="/api"\` series (the root app's copy of every API request)`];
    } else if (looksDoubled(c.id, series, route)) {
      resolved.notes = [DOUBLED_LAYERS_NOTE];
    }
    if (c.statusCounter && !resolved.labels.status) {
      resolved.statusCounter = c.statusCounter;
    }
    return resolved;
  }
  throw await diagnoseNotFound(
    api,
    candidates.flatMap((c) => c.spellings),
    userSelector,
    range,
    Boolean(overrides.metric)
  );
}

/** The selector of the series that carry the metric's labels: `_count` for classic, the plain name for native. */
export function seriesSelector(m: ResolvedMetric): string {
  return metricSelector(m.kind === 'classic' ? `${m.name}_count` : m.name, [m.selector]);
}

/** One line for "Save & test" and the scan header. */
export function describeResolution(m: ResolvedMetric, routeCount: number): string {
  const details = [conventionLabel(m.conventionId), m.unit];
  if (m.kind === 'native') {
    details.push('native histogram');
  }
  const parts = [
    `metric \`${m.name}\` (${details.join(', ')})`,
    `route label \`${m.labels.route}\``,
    `${routeCount} route${routeCount === 1 ? '' : 's'}`,
  ];
  if (m.selector) {
    parts.push(`selector \`${m.selector}\``);
  }
  return parts.join(', ');
}

/** Values of the route, method or status label, for template variables. Status may come from the companion counter. */
export async function listLabelValues(
  api: PrometheusApi,
  m: ResolvedMetric,
  which: 'route' | 'method' | 'status',
  range: UnixRange
): Promise<string[]> {
  let label: string | undefined = m.labels[which];
  let selector = seriesSelector(m);
  if (which === 'status' && !label && m.statusCounter) {
    label = m.statusCounter.label;
    selector = metricSelector(m.statusCounter.name, [m.selector]);
  }
  if (!label) {
    return [];
  }
  const values = await api.labelValues(label, [selector], range.start, range.end);
  return [...values].sort();
}

/** Scrape jobs and instances of the metric's series, for the `up` query (never another service's targets). */
export async function listTargets(api: PrometheusApi, m: ResolvedMetric, range: UnixRange): Promise<ScrapeTargets> {
  return targetsOf(await api.series([seriesSelector(m)], range.start, range.end));
}

/** Jobs and instances of these series: `exported_job`/`exported_instance` where they have them (see ScrapeTargets). */
export function targetsOf(series: Array<Record<string, string>>): ScrapeTargets {
  const exported = series.some((s) => s.exported_job);
  const [job, instance] = exported ? ['exported_job', 'exported_instance'] : ['job', 'instance'];
  const withJob = series.filter((s) => s[job]);
  const pick = (label: string) =>
    [...new Set(withJob.map((s) => s[label]).filter((v): v is string => v !== undefined && v !== ''))].sort();
  return exported
    ? { jobs: pick(job), instances: pick(instance), exported }
    : { jobs: pick(job), instances: pick(instance) };
}
