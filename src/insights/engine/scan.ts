// One scan: a probe, the fixed query set over [from − 6 h, to], alignment onto one grid, every detector, then
// "the broad one wins". Detectors never talk to Prometheus; the engine never knows an insight.
import { normalizeRoute } from '../../prometheus/routes';
import {
  downsampledRead,
  downsampledUntil,
  DOWNSAMPLED_SECONDS_PER_POINT,
  type DownsampledRead,
} from '../../prometheus/downsampling';
import { chooseStep, DEFAULT_SCRAPE_SECONDS, rateWindow } from '../../prometheus/step';
import { targetsOf } from '../../prometheus/resolve';
import { THANOS_ENGINE_PARAMS, withRangeParams } from '../../prometheus/thanosEngine';
import type { MatrixSeries, ScrapeTargets, TimeRange } from '../../prometheus/types';
import { SEVERITY_RANK } from '../../catalog/types';
import { suppressExplained } from '../toolkit/suppression';
import type { Detector, Episode, Grid, RouteSeries, ScanInput, TargetSeries } from '../types';
import {
  alignByLabel,
  combineArrays,
  gridFromRange,
  groupKeys,
  nanArray,
  parseSampleValue,
  weightedCombine,
} from './align';
import {
  probeQuery,
  probeSelector,
  PROBE_WINDOW_SECONDS,
  routeQueries,
  SERIES_PART,
  TARGET_PART_LABEL,
  targetsScanQuery,
  QUANTILE_ROLES,
  type QueryRole,
  type ScanQuery,
} from './queries';
import type { ScanOptions, ScanResult, ScanSource } from './types';
import { createNoticeCollector, type NoticeKind } from '../../prometheus/warnings';
import { hasSamplesFrom, noDataMessage } from './noData';
import { chunkRange, chunkRangeSplitAt, type ChunkInput } from './chunks';
import {
  wholeWindowCounts,
  youngProbeRange,
  youngSamplesPerWindow,
  YOUNG_PROBE_WINDOW_SECONDS,
  YOUNG_SERIES_INFO_START,
} from './youngSeries';
import {
  formatResolution,
  RECORDED_PART,
  RECORDED_PROBE_WINDOW_SECONDS,
  RECORDED_QUANTILES,
  RECORDED_SERIES_PART,
  recordedProbeExpr,
} from '../../prometheus/recorded';
import { describeSource } from './source';

/**
 * Roles whose series are quantiles: copies of one route in an answer (the recorded quantiles are read without a
 * server-side `by route`) are folded with max, never summed. The raw queries answer one series per route anyway.
 */

/**
 * Ranges longer than this are probed once an hour instead of every PROBE_WINDOW_SECONDS: the probe's 10-minute
 * windows then read a sixth of the raw `_count` samples (a month of 150 routes × 4 replicas took 23.4 s probed every
 * 10 minutes, docs/sizing.md), and the recordings' hourly windows (RECORDED_PROBE_WINDOW_SECONDS) still tile the
 * range, so their coverage check is unchanged.
 */
const HOURLY_PROBE_FROM_SECONDS = 10 * 86400;

/** The contract's baseline look-back before the range. */
export const LOOKBACK_SECONDS = 6 * 3600;
export const CONCURRENCY = 2;
// Scrape intervals people configure; an estimate within 10 % of one of them is taken to be it.
const COMMON_INTERVALS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300];

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason = signal.reason;
    throw reason instanceof Error ? reason : Object.assign(new Error('The scan was aborted'), { name: 'AbortError' });
  }
}

/** Runs tasks with at most `limit` in flight, in order of submission; the first failure rejects. */
async function runBounded<T>(tasks: Array<() => Promise<T>>, limit: number, signal?: AbortSignal): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < tasks.length && !failed) {
      throwIfAborted(signal);
      const i = next++;
      try {
        results[i] = await tasks[i]();
      } catch (e) {
        // The scan fails as a whole: the other worker stops instead of asking Prometheus for results nobody reads.
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Densest probe window → scrape interval in seconds, snapped to a common value when close to one. */
export function scrapeIntervalFromCounts(maxSamplesPerWindow: number, windowSeconds: number): number | null {
  if (!(maxSamplesPerWindow >= 2)) {
    return null;
  }
  const estimate = windowSeconds / maxSamplesPerWindow;
  for (const c of COMMON_INTERVALS) {
    if (Math.abs(estimate - c) <= 0.1 * c) {
      return c;
    }
  }
  return estimate >= 2 ? Math.round(estimate) : Math.round(estimate * 1000) / 1000;
}

export interface ProbeResult {
  scrapeSeconds: number | null;
  targets: ScrapeTargets;
  /** Most series of the metric present at once, where the probe counted them (probeQuery's `countSeries`). */
  seriesCount: number | null;
  /** Recorded points per probe point (unix s → count) of the long-range recordings; empty when none are loaded. */
  recorded: Map<number, number>;
  /** Most recorded route series at once (the recordings' read per request); null when none are loaded. */
  recordedSeries: number | null;
  /** Per recorded quantile (RECORDED_QUANTILES' `part`), its points per probe point; absent when not loaded. */
  recordedQuantiles: Map<string, Map<number, number>>;
  /**
   * False when no series was seen in a whole probe window (each began or ended in every window it has): then the
   * interval reads long, and the scan probes again with shorter windows (youngSeries.ts).
   */
  fromWholeWindows: boolean;
  /** Per probe point (unix s), the most samples one scrape target's series held in its window. */
  perWindow: Map<number, number>;
}

const QUANTILE_PARTS: ReadonlySet<string> = new Set(RECORDED_QUANTILES.map((r) => r.part));

/** The probe's answer read once: the scrape interval from the densest window, and the targets that have samples. */
export function readProbe(series: MatrixSeries[]): ProbeResult {
  let maxCount = 0;
  let wholeMax = 0;
  let seriesCount: number | null = null;
  const recorded = new Map<number, number>();
  let recordedSeries: number | null = null;
  const recordedQuantiles = new Map<string, Map<number, number>>();
  const perWindow = new Map<number, number>();
  const seen: Array<Record<string, string>> = [];
  for (const s of series) {
    if (s.metric[TARGET_PART_LABEL] === RECORDED_SERIES_PART) {
      for (const [, text] of s.values) {
        recordedSeries = Math.max(recordedSeries ?? 0, parseSampleValue(text));
      }
      continue;
    }
    const part = s.metric[TARGET_PART_LABEL];
    if (part !== undefined && QUANTILE_PARTS.has(part)) {
      const points = new Map<number, number>();
      for (const [t, text] of s.values) {
        points.set(t, parseSampleValue(text));
      }
      recordedQuantiles.set(part, points);
      continue;
    }
    if (s.metric[TARGET_PART_LABEL] === RECORDED_PART) {
      for (const [t, text] of s.values) {
        recorded.set(t, parseSampleValue(text));
      }
      continue;
    }
    if (s.metric[TARGET_PART_LABEL] === SERIES_PART) {
      for (const [, text] of s.values) {
        const v = parseSampleValue(text);
        if (v > (seriesCount ?? 0)) {
          seriesCount = v;
        }
      }
      continue;
    }
    for (const v of wholeWindowCounts(s)) {
      wholeMax = Math.max(wholeMax, v);
    }
    let any = false;
    for (const [t, text] of s.values) {
      const v = parseSampleValue(text);
      if (v > 0) {
        any = true;
        perWindow.set(t, Math.max(perWindow.get(t) ?? 0, v));
        if (v > maxCount) {
          maxCount = v;
        }
      }
    }
    if (any) {
      seen.push(s.metric);
    }
  }
  return {
    scrapeSeconds: scrapeIntervalFromCounts(maxCount, PROBE_WINDOW_SECONDS),
    targets: targetsOf(seen),
    seriesCount,
    recorded,
    recordedSeries,
    recordedQuantiles,
    fromWholeWindows: wholeMax >= 2,
    perWindow,
  };
}

export interface RecordedCoverage {
  /** Interval of the recordings, seconds, from their densest probe window; null when none were found. */
  intervalSeconds: number | null;
  /** True when every probe point of [start + window, end] saw at least half the densest window's points. */
  covers: boolean;
}

/**
 * Whether the long-range recordings cover [startSec, endSec]. Each probe point counts the points of the hour before
 * it, so a gap of half an hour or more anywhere in the range, or recordings that begin or end inside it, fail the
 * check; a shorter gap does not.
 */
export function recordedCoverage(
  recorded: Map<number, number>,
  probe: TimeRange,
  startSec: number,
  endSec: number
): RecordedCoverage {
  let max = 0;
  for (const v of recorded.values()) {
    max = Math.max(max, v);
  }
  const intervalSeconds = scrapeIntervalFromCounts(max, RECORDED_PROBE_WINDOW_SECONDS);
  if (intervalSeconds === null) {
    return { intervalSeconds: null, covers: false };
  }
  let checked = 0;
  for (let t = probe.start; t <= probe.end; t += probe.step) {
    if (t < startSec + RECORDED_PROBE_WINDOW_SECONDS || t - probe.step >= endSec) {
      continue;
    }
    checked++;
    if (!((recorded.get(t) ?? 0) >= max / 2)) {
      return { intervalSeconds, covers: false };
    }
  }
  return { intervalSeconds, covers: checked > 0 };
}

function firstIndexAtOrAfter(grid: Grid, timeMs: number): number {
  return Math.min(grid.length, Math.max(0, Math.ceil((timeMs - grid.start) / grid.step - 1e-9)));
}

/**
 * The part of `piece` from the first to the last grid point where some raw label's value reaches `atLeast` (a range
 * on the same grid), or null where none does.
 */
function spanReaching(
  byRoute: Map<string, Float64Array> | undefined,
  grid: Grid,
  piece: TimeRange,
  atLeast: number
): TimeRange | null {
  if (byRoute === undefined) {
    return null;
  }
  const from = Math.max(0, Math.round((piece.start * 1000 - grid.start) / grid.step));
  const to = Math.min(grid.length - 1, Math.round((piece.end * 1000 - grid.start) / grid.step));
  let first = Infinity;
  let last = -Infinity;
  for (const arr of byRoute.values()) {
    for (let i = from; i <= to; i++) {
      if (arr[i] >= atLeast) {
        first = Math.min(first, i);
        last = Math.max(last, i);
      }
    }
  }
  if (first > last) {
    return null;
  }
  return {
    start: piece.start + (first - from) * piece.step,
    end: piece.start + (last - from) * piece.step,
    step: piece.step,
  };
}

/** The raw route labels of the per-route answers so far (series without the label left out). */
function rawRouteKeys(aligned: Map<QueryRole, Map<string, Float64Array>>): Set<string> {
  const raw = new Set<string>();
  for (const [role, byRoute] of aligned) {
    if (role !== 'targets') {
      for (const key of byRoute.keys()) {
        if (key !== '') {
          raw.add(key);
        }
      }
    }
  }
  return raw;
}

/** Whether two raw route labels of the answers so far share one template (buildRoutes then folds them). */
function rawKeysMerge(aligned: Map<QueryRole, Map<string, Float64Array>>): boolean {
  for (const keys of groupKeys(rawRouteKeys(aligned), normalizeRoute).values()) {
    if (keys.length > 1) {
      return true;
    }
  }
  return false;
}

/**
 * Puts back the zeros a sparse read left out (ScanQuery.zeroFill), per raw route label before labels are merged,
 * so every array is what the dense read would have filled: 0 where the route's rate is a value (or above 0), the
 * dense read's NaN or absence elsewhere.
 */
function fillSparseZeros(queries: ScanQuery[], aligned: Map<QueryRole, Map<string, Float64Array>>): void {
  const rates = aligned.get('rate');
  if (rates === undefined) {
    return;
  }
  for (const q of queries) {
    const byRoute = aligned.get(q.role);
    if (q.zeroFill === undefined || byRoute === undefined) {
      continue;
    }
    const positive = q.zeroFill === 'positive';
    for (const [key, rate] of rates) {
      let arr = byRoute.get(key);
      if (arr === undefined) {
        arr = nanArray(rate.length);
        byRoute.set(key, arr);
      }
      for (let i = 0; i < rate.length; i++) {
        const r = rate[i];
        if (arr[i] !== arr[i] && (positive ? r > 0 : r === r)) {
          arr[i] = 0;
        }
      }
    }
  }
}

/**
 * Turns a numerator's read (ScanQuery.overRate: the mean's `_sum` rate, a share's slow rate) into its value, per raw
 * route label: over the request rate, NaN where either is missing, as Prometheus's division of the two would answer
 * (x/0 = +Inf, 0/0 = NaN alike).
 */
function divideByRate(queries: ScanQuery[], aligned: Map<QueryRole, Map<string, Float64Array>>): void {
  for (const q of queries) {
    const byRoute = aligned.get(q.role);
    if (q.overRate === undefined || byRoute === undefined) {
      continue;
    }
    const { unitDivisor } = q.overRate;
    for (const [key, sum] of byRoute) {
      const rate = aligned.get('rate')?.get(key);
      for (let i = 0; i < sum.length; i++) {
        sum[i] = rate === undefined ? NaN : unitDivisor === 1 ? sum[i] / rate[i] : sum[i] / rate[i] / unitDivisor;
      }
    }
  }
}

/** Per-route series from the aligned results, raw label values merged by their normalised template. */
function buildRoutes(aligned: Map<QueryRole, Map<string, Float64Array>>, length: number): RouteSeries[] {
  const raw = rawRouteKeys(aligned);
  const pick = (role: QueryRole, keys: string[]) =>
    keys.map((k) => aligned.get(role)?.get(k)).filter((a): a is Float64Array => a !== undefined);
  const orNaN = (arrays: Float64Array[], combine: 'sum' | 'max') =>
    arrays.length === 0 ? nanArray(length) : combineArrays(arrays, combine);
  const weighted = (role: QueryRole, keys: string[]) => {
    const values: Float64Array[] = [];
    const weights: Array<Float64Array | undefined> = [];
    for (const k of keys) {
      const v = aligned.get(role)?.get(k);
      if (v) {
        values.push(v);
        weights.push(aligned.get('rate')?.get(k));
      }
    }
    return values.length === 0 ? nanArray(length) : weightedCombine(values, weights);
  };

  const routes: RouteSeries[] = [];
  for (const [route, keys] of groupKeys(raw, normalizeRoute)) {
    routes.push({
      route,
      p50: orNaN(pick('p50', keys), 'max'),
      p95: orNaN(pick('p95', keys), 'max'),
      p99: orNaN(pick('p99', keys), 'max'),
      mean: weighted('mean', keys),
      rate: orNaN(pick('rate', keys), 'sum'),
      errorRate: orNaN(pick('errorRate', keys), 'sum'),
      slowShare: weighted('slowShare', keys),
      tailShare: weighted('tailShare', keys),
    });
  }
  return routes.sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));
}

interface TargetArrays {
  ups: Map<string, Float64Array>;
  rates: Map<string, Float64Array>;
}

/** One piece of the targets query's answer, aligned into the arrays of the pieces before it. */
function alignTargets(series: MatrixSeries[], grid: Grid, into: TargetArrays): void {
  const upSeries = series.filter((s) => s.metric[TARGET_PART_LABEL] === 'up');
  const rateSeries = series.filter((s) => s.metric[TARGET_PART_LABEL] !== 'up');
  alignByLabel(upSeries, grid, 'instance', 'max', into.ups);
  alignByLabel(rateSeries, grid, 'instance', 'sum', into.rates);
}

/** The targets query's answer: per-instance `up` and rate, and the service's `up` (any instance up). */
function readTargets({ ups, rates }: TargetArrays, grid: Grid): { up: Float64Array; targets: TargetSeries[] } {
  const up = ups.size === 0 ? nanArray(grid.length) : combineArrays([...ups.values()], 'max');
  const names = [...new Set([...ups.keys(), ...rates.keys()])].sort();
  const targets = names.map((instance) => ({
    instance,
    up: ups.get(instance) ?? nanArray(grid.length),
    rate: rates.get(instance) ?? nanArray(grid.length),
  }));
  return { up, targets };
}

function compareEpisodes(a: Episode, b: Episode): number {
  return a.start - b.start || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.id < b.id ? -1 : 1);
}

/**
 * Raw histogram or long-range recordings: the recordings where the probe found them covering the whole span at an
 * interval no coarser than the scan's step (so the detectors see the same resolution either way).
 */
function chooseSource(
  probe: ProbeResult,
  probeRange: TimeRange,
  spanStart: number,
  toSec: number,
  stepSec: number
): ScanSource {
  const raw = (reason: string): ScanSource => ({
    source: 'raw',
    resolutionSeconds: stepSec,
    sourceNote: reason,
  });
  const coverage = recordedCoverage(probe.recorded, probeRange, spanStart, toSec);
  if (coverage.intervalSeconds === null) {
    return raw('the long-range recording rules are not loaded');
  }
  if (!coverage.covers) {
    return raw('the long-range recording rules cover only part of the range');
  }
  if (coverage.intervalSeconds > stepSec) {
    return raw(
      `the range is read at ${formatResolution(stepSec)} resolution, finer than the recording rules' ${formatResolution(coverage.intervalSeconds)} interval`
    );
  }
  const rules = {
    source: 'recording-rules',
    resolutionSeconds: stepSec,
    recordedIntervalSeconds: coverage.intervalSeconds,
  } as const;
  const buckets = (reason: string): ScanSource => ({ ...rules, recordedQuantiles: false, sourceNote: reason });
  // The recorded quantiles too must be found, not assumed: a rule file generated before they existed holds only
  // the bucket recordings, which still answer every query.
  const quantiles = RECORDED_QUANTILES.map((r) =>
    recordedCoverage(probe.recordedQuantiles.get(r.part) ?? new Map(), probeRange, spanStart, toSec)
  );
  if (quantiles.some((c) => c.intervalSeconds === null)) {
    return buckets('the per-route quantile recordings are not loaded');
  }
  if (quantiles.some((c) => !c.covers)) {
    return buckets('the per-route quantile recordings cover only part of the range');
  }
  // At a step coarser than their interval the scan reads the buckets rather than a bound from the recorded
  // quantiles: a quantile of several evaluations cannot be averaged, and a max_over_time of them would be an upper
  // bound that turns one slow evaluation into a slow step, so the detectors (which compare p95 with its baseline)
  // would find other episodes than the raw scan. The buckets give the step's own quantile, and a k-times coarser
  // step costs the bucket read k times fewer evaluations, so the month (step = interval) is where the recorded
  // quantiles are needed.
  if (quantiles.some((c) => c.intervalSeconds !== stepSec)) {
    return buckets(
      `quantiles recorded at ${formatResolution(quantiles[0].intervalSeconds!)} resolution cannot be averaged over the ${formatResolution(stepSec)} step`
    );
  }
  return { ...rules, recordedQuantiles: true };
}

/**
 * Raw samples the long-range probe reads to find the scrape interval, when the recordings already cover the span:
 * the last 6 hours of it (36 probe windows; the densest gives the interval).
 */
const TAIL_PROBE_SECONDS = 6 * 3600;

interface Probed {
  probe: ProbeResult;
  probeRange: TimeRange;
  /** Up to when (unix s) the probe, read downsampled, found Thanos's downsampled blocks (downsampledUntil). */
  downsampledUntil?: number;
}

/**
 * The probe. Up to 10 days: one request (probeQuery with the series count and the recordings). Longer: the
 * recordings first, in one small request, because the raw probe reads every raw `_count` sample of the span (23.4 s
 * of a month's 56.8 s scan at 150 routes × 4 replicas, docs/sizing.md) and most of it is needed only when the raw
 * histogram is read. When the recordings will be read whatever the scrape interval (they cover the span and their
 * interval is no coarser than the finest step the span allows), the raw probe asks only the span's last 6 hours for
 * the scrape interval, and the series API (the index, no sample read) names the scrape targets of the whole span;
 * otherwise, or when the metric has no sample in those 6 hours, the raw probe over the whole span. With Thanos's
 * downsampled blocks to be read (5-minute ones), the probe over the whole span asks for them too, and says up to when
 * it found them; where it found nothing raw, the scrape interval comes from the span's last 6 hours read raw.
 */
async function probeScan(
  api: ScanOptions['api'],
  metric: ScanOptions['metric'],
  spanStart: number,
  toSec: number,
  count: <T>(p: Promise<T>) => Promise<T>,
  opts: { signal?: AbortSignal; onWarning: (message: string, kind?: NoticeKind) => void },
  downsampled?: DownsampledRead
): Promise<Probed> {
  const span = toSec - spanStart;
  const long = span > HOURLY_PROBE_FROM_SECONDS;
  const probeStep = Math.max(PROBE_WINDOW_SECONDS, chooseStep(span), long ? RECORDED_PROBE_WINDOW_SECONDS : 0);
  const probeRange: TimeRange = {
    start: Math.floor(spanStart / probeStep) * probeStep,
    end: Math.ceil(toSec / probeStep) * probeStep,
    step: probeStep,
  };
  if (!long || metric.kind !== 'classic') {
    const probe = readProbe(
      await count(api.queryRange(probeQuery(metric, { countSeries: true, recorded: true }), probeRange, opts))
    );
    return { probe, probeRange };
  }
  const recorded = readProbe(await count(api.queryRange(recordedProbeExpr(TARGET_PART_LABEL), probeRange, opts)));
  const withRecorded = (raw: ProbeResult): ProbeResult => ({
    ...raw,
    recorded: recorded.recorded,
    recordedSeries: recorded.recordedSeries,
    recordedQuantiles: recorded.recordedQuantiles,
  });
  const coverage = recordedCoverage(recorded.recorded, probeRange, spanStart, toSec);
  // chooseStep without a scrape interval is the finest step the span allows; a known interval can only raise it.
  const readsRecordings =
    coverage.covers && coverage.intervalSeconds !== null && coverage.intervalSeconds <= chooseStep(span);
  const tail: TimeRange = {
    start: Math.floor((toSec - TAIL_PROBE_SECONDS) / PROBE_WINDOW_SECONDS) * PROBE_WINDOW_SECONDS,
    end: Math.ceil(toSec / PROBE_WINDOW_SECONDS) * PROBE_WINDOW_SECONDS,
    step: PROBE_WINDOW_SECONDS,
  };
  const readTail = async () =>
    readProbe(await count(api.queryRange(probeQuery(metric, { countSeries: true }), tail, opts)));
  if (readsRecordings) {
    const recent = await readTail();
    if (recent.scrapeSeconds !== null) {
      const labels = await count(api.series([probeSelector(metric)], spanStart, toSec, opts));
      return { probe: withRecorded({ ...recent, targets: targetsOf(labels) }), probeRange };
    }
  }
  if (downsampled !== undefined && 2 * downsampled.resolutionSeconds <= PROBE_WINDOW_SECONDS) {
    // The reads will ask for Thanos's downsampled blocks: so does the probe, which then reads their count aggregate
    // (a twentieth of the raw samples at a 15 s scrape) and shows where they are, for the pieces' budget.
    const probe = readProbe(
      await count(
        api.queryRange(probeQuery(metric, { countSeries: true }), probeRange, { ...opts, params: downsampled.params })
      )
    );
    const until = downsampledUntil(probe.perWindow, PROBE_WINDOW_SECONDS, downsampled.resolutionSeconds);
    if ([...probe.perWindow.keys()].some((t) => until === undefined || t > until)) {
      // A raw window was seen: the densest one gives the scrape interval, as in the raw probe.
      return { probe: withRecorded(probe), probeRange, downsampledUntil: until };
    }
    // Downsampled wherever there were samples: the scrape interval from the span's last raw hours.
    const recent = await readTail();
    if (recent.scrapeSeconds !== null) {
      const scrape = { scrapeSeconds: recent.scrapeSeconds, fromWholeWindows: recent.fromWholeWindows };
      return { probe: withRecorded({ ...probe, ...scrape }), probeRange, downsampledUntil: until };
    }
  }
  const raw = readProbe(await count(api.queryRange(probeQuery(metric, { countSeries: true }), probeRange, opts)));
  return { probe: withRecorded(raw), probeRange };
}

/** The scan with an explicit detector list (tests pass their own; index.ts passes DETECTORS). */
export async function runScan(opts: ScanOptions, detectors: readonly Detector[]): Promise<ScanResult> {
  const { metric, from, to, settings, signal, onProgress, requestBudgetSeconds } = opts;
  // Declared Thanos: every read asks for the querier's own engine, which costs it less CPU (thanosEngine.ts).
  const api = opts.thanosDownsampling ? withRangeParams(opts.api, THANOS_ENGINE_PARAMS) : opts.api;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) {
    throw new RangeError(`scan range must have from < to (got ${from} .. ${to})`);
  }
  throwIfAborted(signal);
  let requests = 0;
  let total = 1;
  const notices = createNoticeCollector();
  const onWarning = (message: string, kind?: NoticeKind) => notices.add(message, kind);
  const count = <T>(p: Promise<T>): Promise<T> =>
    p.then((v) => {
      requests++;
      onProgress?.(requests, total);
      return v;
    });

  const fromSec = from / 1000;
  const toSec = to / 1000;
  const spanStart = fromSec - LOOKBACK_SECONDS;

  // 1. Probe: scrape interval, scrape targets and the long-range recordings' coverage (probeScan).
  // Thanos's downsampled blocks are read where the finest grid the span allows is no finer than they are.
  const probeDownsampled = opts.thanosDownsampling ? downsampledRead(chooseStep(toSec - spanStart)) : undefined;
  const probed = await probeScan(api, metric, spanStart, toSec, count, { signal, onWarning }, probeDownsampled);
  const { probe, probeRange } = probed;

  // 1b. Series too young for a whole probe window read a long interval: once more with short windows.
  let probedSeconds = probe.scrapeSeconds;
  if (probedSeconds !== null && !probe.fromWholeWindows) {
    const young = youngProbeRange(spanStart, toSec);
    const perWindow = young
      ? youngSamplesPerWindow(
          await count(
            api.queryRange(probeQuery(metric, { windowSeconds: YOUNG_PROBE_WINDOW_SECONDS }), young, {
              signal,
              onWarning,
            })
          )
        )
      : null;
    const fine = perWindow === null ? null : scrapeIntervalFromCounts(perWindow, YOUNG_PROBE_WINDOW_SECONDS);
    if (fine !== null) {
      probedSeconds = Math.min(probedSeconds, fine);
    } else {
      onWarning(
        `${YOUNG_SERIES_INFO_START} ${(3 * YOUNG_PROBE_WINDOW_SECONDS) / 60} minutes: its ${formatResolution(probedSeconds)} interval is read from partial windows and may be longer than it is, which widens the scan's windows`,
        'info'
      );
    }
  }

  // 2. One grid for everything: step near the scrape interval, aligned to multiples of itself so that scans of
  //    overlapping ranges agree point for point.
  const scrapeSeconds = probedSeconds ?? DEFAULT_SCRAPE_SECONDS;
  // Prometheus's 11,000 points per series bound the grid (and the scan's memory); the read and the samples held
  // at once are bounded per request instead, by splitting (chunks.ts), so a big fleet keeps its resolution.
  const stepSec = chooseStep(toSec - spanStart, { scrapeIntervalSeconds: scrapeSeconds });
  const startSec = Math.floor(spanStart / stepSec) * stepSec;
  let endSec = Math.floor(toSec / stepSec) * stepSec;
  if (endSec < fromSec) {
    endSec = Math.ceil(fromSec / stepSec) * stepSec;
  }
  const grid = gridFromRange(startSec, endSec, stepSec);
  const range: TimeRange = { start: startSec, end: startSec + (grid.length - 1) * stepSec, step: stepSec };
  const stepMs = grid.step;
  const source = chooseSource(probe, probeRange, spanStart, toSec, stepSec);

  if (probe.scrapeSeconds === null) {
    // No sample of the metric anywhere in the range: nothing to detect, and nothing more to ask.
    return {
      metric,
      from,
      to,
      step: stepMs,
      ...source,
      episodes: [],
      requests,
      ...notices.result(),
      noData: noDataMessage(metric.name),
    };
  }

  // Thanos's downsampled blocks replace the raw ones only where the grid is no finer than they are, and only for
  // `rate` windows holding two of their samples; the chunking below budgets the stretch where the probe found them
  // by their own density (chunkRangeSplitAt), the rest as raw samples.
  const downsampled = opts.thanosDownsampling && source.source === 'raw' ? downsampledRead(stepSec) : undefined;
  const windowSeconds = Math.max(rateWindow(stepSec, scrapeSeconds), downsampled?.minWindowSeconds ?? 0);
  const read: ScanSource =
    source.source === 'raw'
      ? {
          ...source,
          rateWindowSeconds: windowSeconds,
          ...(downsampled ? { downsampledSeconds: downsampled.resolutionSeconds } : {}),
        }
      : source;
  const recorded =
    source.source === 'recording-rules'
      ? { stepSeconds: stepSec, intervalSeconds: source.recordedIntervalSeconds ?? stepSec }
      : undefined;
  const recordedQuantiles = source.source === 'recording-rules' && source.recordedQuantiles === true;
  const queries: ScanQuery[] = routeQueries(metric, {
    windowSeconds,
    slowThresholdSeconds: settings.apiRequestTimeoutSeconds,
    recorded,
    recordedQuantiles,
    // Declared Thanos, whose engine is asked for: the p95 and p99 in one read (queries.ts).
    quantilesTogether: opts.thanosDownsampling === true,
  });
  queries.push(targetsScanQuery(metric, probe.targets, { windowSeconds, recorded }));
  // Each read is split by what it selects (chunks.ts): its series per counted series times the probe's count of
  // `_count` series or, on the recorded path, of route recordings (one per route and bucket, not per replica, at
  // their own interval).
  const counted = recorded === undefined ? probe.seriesCount : probe.recordedSeries;
  const downsampledFor =
    downsampled !== undefined && downsampled.resolutionSeconds === probeDownsampled?.resolutionSeconds
      ? probed.downsampledUntil
      : undefined;
  const piecesByWeight = new Map<number, TimeRange[]>();
  const piecesOf = (q: ScanQuery): TimeRange[] => {
    let pieces = piecesByWeight.get(q.seriesPerCounted);
    if (pieces === undefined) {
      const input: ChunkInput = {
        range,
        rawSeries: counted === null ? null : counted * q.seriesPerCounted,
        scrapeSeconds: recorded === undefined ? scrapeSeconds : source.resolutionSeconds,
        windowSeconds: recorded === undefined ? windowSeconds : stepSec,
        budgetSeconds: requestBudgetSeconds,
      };
      // Up to where the probe found the downsampled blocks (raw reads only), a piece reads one sample per resolution.
      pieces =
        downsampledFor === undefined
          ? chunkRange(input)
          : chunkRangeSplitAt(input, downsampledFor, {
              scrapeSeconds: downsampled!.resolutionSeconds,
              secondsPerPoint: DOWNSAMPLED_SECONDS_PER_POINT,
            });
      piecesByWeight.set(q.seriesPerCounted, pieces);
    }
    return pieces;
  };
  total = requests + queries.reduce((n, q) => n + piecesOf(q).length, 0);
  onProgress?.(requests, total);

  // 3. The fixed query set, each in as many pieces as its read needs, two requests at a time; each answer is
  //    aligned into its query's arrays as soon as it arrives, so memory holds one answer per request in flight.
  const aligned = new Map<QueryRole, Map<string, Float64Array>>();
  const targetArrays: TargetArrays = { ups: new Map(), rates: new Map() };
  for (const q of queries) {
    if (q.role !== 'targets') {
      const byRoute = new Map<string, Float64Array>();
      for (const role of [q.role, ...(q.alsoFills ?? [])]) {
        aligned.set(role, byRoute);
      }
      for (const role of Object.values(q.tagged ?? {})) {
        aligned.set(role, new Map());
      }
    }
  }
  // A read that waits for the others (the median, queries.ts) is queued last and starts once they are all in.
  // Sparse reads first: their cost is Prometheus's evaluation and their answers are small, while a dense read's cost
  // is mostly this side's parse of its answer; started together, the two overlap (the month on the recordings,
  // docs/sizing.md). The sort is stable: the order within each kind is routeReads'.
  const first = queries
    .filter((q) => q.afterOthers === undefined)
    .sort((a, b) => (a.zeroFill === undefined ? 1 : 0) - (b.zeroFill === undefined ? 1 : 0));
  const last = queries.filter((q) => q.afterOthers !== undefined);
  let othersLeft = first.reduce((n, q) => n + piecesOf(q).length, 0);
  let othersDone: () => void = () => undefined;
  const othersIn = new Promise<void>((resolve) => {
    othersDone = resolve;
    if (othersLeft === 0) {
      resolve();
    }
  });
  const readPiece = async (q: ScanQuery, piece: TimeRange, expr: string) => {
    const series = await count(api.queryRange(expr, piece, { signal, onWarning, params: downsampled?.params }));
    if (q.role === 'targets') {
      alignTargets(series, grid, targetArrays);
      return;
    }
    const byRole = new Map<QueryRole, MatrixSeries[]>();
    for (const s of series) {
      const part = s.metric[TARGET_PART_LABEL];
      const role = (part === undefined ? undefined : q.tagged?.[part]) ?? q.role;
      const list = byRole.get(role);
      if (list) {
        list.push(s);
      } else {
        byRole.set(role, [s]);
      }
    }
    for (const [role, part] of byRole) {
      alignByLabel(part, grid, metric.labels.route, QUANTILE_ROLES.has(role) ? 'max' : 'sum', aligned.get(role));
    }
  };
  await runBounded(
    [
      ...first.flatMap((q) =>
        piecesOf(q).map((piece) => async () => {
          await readPiece(q, piece, q.expr);
          if (--othersLeft === 0) {
            // Finished before the reads that wait on them look at their values (afterOthers' onlyWhere): a share
            // read as a slow rate is a share from here on.
            fillSparseZeros(first, aligned);
            divideByRate(first, aligned);
            othersDone();
          }
        })
      ),
      ...last.flatMap((q) =>
        piecesOf(q).map((piece) => async () => {
          await othersIn;
          const { dense, onlyWhere } = q.afterOthers!;
          // Only the part of the piece where something can be kept: none, no request (and the progress total says so).
          const span = spanReaching(aligned.get(onlyWhere.role), grid, piece, onlyWhere.atLeast);
          if (span === null) {
            total--;
            onProgress?.(requests, total);
            return;
          }
          await readPiece(q, span, rawKeysMerge(aligned) ? dense : q.expr);
        })
      ),
    ],
    CONCURRENCY,
    signal
  );
  fillSparseZeros(last, aligned);
  divideByRate(last, aligned);
  throwIfAborted(signal);
  const targets = readTargets(targetArrays, grid);

  const input: ScanInput = {
    grid,
    rangeStartIndex: firstIndexAtOrAfter(grid, from),
    routes: buildRoutes(aligned, grid.length),
    up: targets.up,
    targets: targets.targets,
    largestBucket: metric.kind === 'native' || metric.buckets.length === 0 ? null : Math.max(...metric.buckets),
    bucketBounds: metric.kind === 'native' ? undefined : metric.buckets.filter(Number.isFinite).sort((a, b) => a - b),
    scrapeIntervalMs: Math.round(scrapeSeconds * 1000),
    ...(downsampled ? { rateWindowMs: windowSeconds * 1000 } : {}),
    settings,
  };

  const found: Episode[] = [];
  for (const d of detectors) {
    throwIfAborted(signal);
    for (const e of d.detect(input)) {
      if (e.end >= from && e.start <= to) {
        found.push(e);
      }
    }
  }
  // Every episode says what it was read from: a region found at 5-minute resolution is not one found per scrape.
  const readFrom = describeSource(read);
  const episodes = suppressExplained(found)
    .sort(compareEpisodes)
    .map((e) => ({ ...e, evidence: { ...e.evidence, readFrom } }));
  // Samples only in the look-back before `from` leave the range itself unread.
  const noData = hasSamplesFrom(input.routes, input.rangeStartIndex) ? {} : { noData: noDataMessage(metric.name) };
  return { metric, from, to, step: stepMs, ...read, episodes, requests, ...notices.result(), ...noData };
}
