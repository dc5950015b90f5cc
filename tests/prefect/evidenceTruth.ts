// Evidence held against the ground truth of the same run (issue 16, "evidence that is true"): each figure a detector
// gives in its structured evidence is compared with what the recorded clients were answered, over the stretch the
// figure speaks for. Pure: the incident test passes in the scan's findings and the request log.
import { quantile, type RecordedRequest } from './harness/groundTruth';
import type { Injected } from './harness/timeline';
import type { WindowSeries } from './harness/windowSeries';

/** One insight as the scan's JSON gives it. */
export interface ScanFinding {
  id: string;
  start: number;
  end: number;
  routes: string[];
  evidence: Record<string, unknown>;
}

export interface EvidenceCheck {
  insight: string;
  figure: string;
  scan: string;
  clients: string;
  ok: boolean;
}

/**
 * Count timeout: the mean may differ from the clients' by this much. The server's histogram times the handler, the
 * client adds its own connection and parsing (milliseconds on 127.0.0.1); the stretch at the cut-off is read on
 * 10 s points whose windows at its edges can hold a few answers from before the lock (a point's mean must be within
 * the cut-off's band, 0.8–1.25 ×, to count). At a 10 s statement timeout that is well under 0.5 s; the figure this
 * catches was 2.2 s off (7.8 s against the clients' 10.05 s).
 */
export const COUNT_MEAN_TOLERANCE_S = 0.5;

/**
 * Pool exhaustion, per-route p95 at the peak: histogram_quantile puts a quantile anywhere inside the bucket that
 * holds it, and the widest finite bucket of these layouts (OpenTelemetry's default bounds, 1–2.5 s and 100–250 ms)
 * spans a factor 2.5. Both ends of the range must lie within that factor of the clients' per-route p95 over the
 * requests the peak point counted (peakTruth below).
 */
export const P95_BUCKET_FACTOR = 2.5;

/**
 * Pool exhaustion, the mean over the routes' requests while far above baseline, against the clients' mean of those
 * routes over the detected stretch: within 20 %. The detector leaves out each route's points near its baseline
 * (the clients' side counts those fast answers in), and the rate window (15 s) smears both edges by its length,
 * about 10 % of a 2.5-minute stretch.
 */
export const POOL_MEAN_SHARE = 0.2;

/**
 * Runs page, the mean over the family's requests in the episode against the clients' mean of those routes over the
 * detected stretch (from a rate window before its start): within 20 %, for the reasons of POOL_MEAN_SHARE less the
 * first (this mean leaves no point out). On its first real run: 1.249 s against the clients' 1.269 s.
 */
export const FAMILY_MEAN_SHARE = 0.2;

/**
 * Outage length against the clients' own silence (last answer before, first answer after): within 60 s, the
 * judge's edge tolerance. A scraped exporter answers as soon as the restarted process serves metrics, before Prefect
 * is ready (30–40 s of start-up here), so `up` returns ahead of the API; `up` goes to 0 one scrape (5 s) and its
 * timeout after the freeze; a pushed server's counters stop within a push interval (5 s) and the rate window (15 s).
 */
export const OUTAGE_LENGTH_TOLERANCE_S = 60;

/**
 * Overload, the 5xx share against the clients' share of 5xx answers over the detected stretch: within 25 % of it.
 * The scan's share is summed over the points the detector held, the clients' over the whole stretch and one rate
 * window before it; the two windows at the stretch's edges (15 s each, about 20 % of a 2.5-minute stretch) can hold
 * any share. The figure this catches is a share of the wrong requests (e.g. of one route, or a peak's).
 */
export const OVERLOAD_SHARE_FACTOR = 0.25;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
const s3 = (v: number) => `${v.toFixed(3)} s`;

/**
 * Route templates compared without parameter names (`/work_pools/{name}` and `/work_pools/{work_pool_name}` alike)
 * or a trailing slash: the server declares `/flow_runs/`, the scan names it `/flow_runs`.
 */
export const routeKey = (route: string) =>
  route
    .replace(/^\/api(?=\/)/, '')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/(.)\/$/, '$1');

/** Answered requests (a status) ending in [from, to] ms, optionally of one route (by `templateOf`). */
function answered(
  requests: RecordedRequest[],
  from: number,
  to: number,
  route?: (r: RecordedRequest) => boolean
): RecordedRequest[] {
  return requests.filter((r) => r.status !== 0 && r.end * 1000 >= from && r.end * 1000 <= to && (!route || route(r)));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The longest stretch without an answered request that overlaps [from, to] (ms): the clients' own silence. */
export function clientSilence(requests: RecordedRequest[], from: number, to: number): number {
  const ends = requests
    .filter((r) => r.status !== 0)
    .map((r) => r.end * 1000)
    .sort((a, b) => a - b);
  let longest = 0;
  for (let k = 1; k < ends.length; k++) {
    if (ends[k] >= from && ends[k - 1] <= to) {
      longest = Math.max(longest, ends[k] - ends[k - 1]);
    }
  }
  return longest;
}

export interface TruthContext {
  requests: RecordedRequest[];
  /** `METHOD`-less route template of a recorded request, from the server's OpenAPI (harness/groundTruth.ts). */
  routeOf(r: RecordedRequest): string | undefined;
  /** The scan's rate window, seconds: what one point's figures cover. */
  windowSeconds: number;
  /** The series of the metric in the rate window of the pool exhaustion's peak point (harness/windowSeries.ts). */
  peakWindow?: WindowSeries[];
}

/**
 * How far a request's recorded end may lie from the moment the server counted it. The client stamps its end when the
 * answer arrives; the server records the duration as it sends it, and the sample's time is the scrape's start (a) or
 * the SDK's collection (b, e). Measured on one CI-like run by matching each series' increase between two samples
 * with the clients' requests between them: within 3 ms on a (scraped, 1,738 intervals), 1 ms on e, and up to 0.21 s
 * on b during its overload (18 of 4,072 samples off, 17 of them by under 30 ms). A request ending this close to a
 * span's edge may be in or out; the clients' p95 is then taken both ways.
 */
export const EDGE_MS = 500;

interface PeakTruth {
  /** The clients' lowest per-route p95, as [least, most] over the requests near the spans' edges left out or in. */
  low: [number, number];
  high: [number, number];
  routes: number;
  requests: number;
  /** Routes at the peak whose series rose in the window but the recorded clients made none of those requests. */
  unheard: string[];
}

/**
 * The clients' per-route p95 over exactly the requests the peak point's rate counted: per series (route, method,
 * status), those that ended after its first sample in the window and by its last. Comparing against a wider window
 * held requests the point never counted (on a thin route, one answer from before the pile-up decided the figure:
 * "scan 0.550 s, clients 0.192 s" in CI, 2026-12-05); a series born in the window counts nothing, as in rate().
 */
function peakTruth(series: WindowSeries[], atPeak: Set<string>, ctx: TruthContext): PeakTruth {
  const sure = new Map<string, number[]>();
  const edge = new Map<string, number[]>();
  const rising = new Set<string>();
  const add = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
  const spans = new Map<string, Array<{ from: number; to: number }>>();
  for (const s of series) {
    const route = routeKey(s.route);
    if (atPeak.has(route) && s.times.length >= 2) {
      const key = `${route} ${s.method.toUpperCase()} ${s.status}`;
      spans.set(key, [...(spans.get(key) ?? []), { from: s.times[0], to: s.times[s.times.length - 1] }]);
      if (s.increase > 0) {
        rising.add(route);
      }
    }
  }
  for (const r of ctx.requests) {
    const template = r.status !== 0 ? ctx.routeOf(r) : undefined;
    const route = template === undefined ? undefined : routeKey(template);
    const own = route === undefined ? undefined : spans.get(`${route} ${r.method.toUpperCase()} ${r.status}`);
    const end = r.end * 1000;
    // Once, whatever the number of series it could belong to (two server processes' during a restart).
    if (own?.some(({ from, to }) => end > from + EDGE_MS && end <= to - EDGE_MS)) {
      add(sure, route!, r.seconds);
    } else if (own?.some(({ from, to }) => end > from - EDGE_MS && end <= to + EDGE_MS)) {
      add(edge, route!, r.seconds);
    }
  }
  const perRoute: Array<[number, number]> = [];
  let requests = 0;
  for (const route of new Set([...sure.keys(), ...edge.keys()])) {
    const inner = sure.get(route) ?? [];
    const outer = [...inner, ...(edge.get(route) ?? [])];
    requests += outer.length;
    const both = [inner.length ? quantile(inner, 0.95) : NaN, quantile(outer, 0.95)].filter((v) => v === v);
    perRoute.push([Math.min(...both), Math.max(...both)]);
  }
  return {
    low: [Math.min(...perRoute.map((r) => r[0])), Math.min(...perRoute.map((r) => r[1]))],
    high: [Math.max(...perRoute.map((r) => r[0])), Math.max(...perRoute.map((r) => r[1]))],
    routes: perRoute.length,
    requests,
    unheard: [...rising].filter((r) => !sure.has(r) && !edge.has(r)),
  };
}

/**
 * The finding's routes' requests answered in its detected stretch (from a rate window before its start), and the
 * check of its `meanSeconds` against their mean within `share` of it.
 */
function stretchMean(
  f: ScanFinding,
  ctx: TruthContext,
  share: number
): { requests: RecordedRequest[]; check: EvidenceCheck } {
  const routes = new Set(f.routes.map(routeKey));
  const requests = answered(ctx.requests, f.start - ctx.windowSeconds * 1000, f.end, (r) => {
    const route = ctx.routeOf(r);
    return route !== undefined && routes.has(routeKey(route));
  });
  const clientsMean = requests.length ? mean(requests.map((r) => r.seconds)) : NaN;
  const scanMean = num(f.evidence.meanSeconds);
  return {
    requests,
    check: {
      insight: f.id,
      figure: `mean over their requests (± ${share * 100} %)`,
      scan: s3(scanMean),
      clients: `${s3(clientsMean)} over ${requests.length} requests of the ${routes.size} routes in the detected stretch`,
      ok: Math.abs(scanMean - clientsMean) <= share * clientsMean,
    },
  };
}

/** Every figure of one finding that the clients can speak to, each judged. Empty for an insight with none. */
export function checkEvidence(f: ScanFinding, inj: Injected, ctx: TruthContext): EvidenceCheck[] {
  const e = f.evidence;
  const out: EvidenceCheck[] = [];
  if (f.id === 'task-runs-count-timeout') {
    const counts = answered(ctx.requests, inj.start, inj.end, (r) => ctx.routeOf(r) === '/task_runs/count');
    const seconds = counts.map((r) => r.seconds);
    const clientsMean = seconds.length ? mean(seconds) : NaN;
    const median = seconds.length ? quantile(seconds, 0.5) : NaN;
    const scanMean = num(e.meanSeconds);
    out.push({
      insight: f.id,
      figure: `mean (± ${COUNT_MEAN_TOLERANCE_S} s)`,
      scan: s3(scanMean),
      clients: `${s3(clientsMean)} over ${counts.length} counts (median ${s3(median)})`,
      ok: Math.abs(scanMean - clientsMean) <= COUNT_MEAN_TOLERANCE_S,
    });
    const cut = num(e.cutOffSeconds);
    if (cut > 0 && median >= cut) {
      out.push({
        insight: f.id,
        figure: 'at the cut-off (the clients waited it out: median ≥ it)',
        scan: String(e.p99AtCutOff),
        clients: `median ${s3(median)} ≥ ${cut} s`,
        ok: e.p99AtCutOff === true,
      });
    }
  }
  if (f.id === 'runs-page-slow') {
    const { requests: pages, check } = stretchMean(f, ctx, FAMILY_MEAN_SHARE);
    out.push(check);
    // Cancelled at the statement timeout: the clients' pages answered 500 after it, so p99 must say it piles there.
    const cut = num(e.cutOffSeconds);
    const cancelled = pages.filter((r) => r.status >= 500 && r.seconds >= cut);
    if (cut > 0 && cancelled.length >= Math.max(1, 0.01 * pages.length)) {
      out.push({
        insight: f.id,
        figure: "at the cut-off (at least 1 % of the clients' pages answered 500 after it)",
        scan: String(e.p99AtCutOff),
        clients: `${cancelled.length} of ${pages.length} answered 500 after ${cut} s`,
        ok: e.p99AtCutOff === true,
      });
    }
  }
  if (f.id === 'db-pool-exhaustion') {
    const peak = Date.parse(String(e.peakAt));
    const atPeak = new Set(((e.routesAtPeak as string[]) ?? []).map(routeKey));
    const truth = peakTruth(ctx.peakWindow ?? [], atPeak, ctx);
    const low = num(e.p95PeakLowSeconds);
    const high = num(e.p95PeakHighSeconds);
    const largest = num(e.largestBucketSeconds);
    // The scan's figure must lie within the bucket factor of some value the clients' figure can take.
    const within = (scan: number, [lo, hi]: [number, number]) =>
      scan <= hi * P95_BUCKET_FACTOR && scan >= lo / P95_BUCKET_FACTOR;
    // A p95 in +Inf is a floor: the clients' must reach the largest bound (less a bucket's factor).
    const highOk = high >= largest ? truth.high[1] >= largest / P95_BUCKET_FACTOR : within(high, truth.high);
    const range = ([lo, hi]: [number, number]) => (lo === hi ? s3(lo) : `${s3(lo)}…${s3(hi)}`);
    out.push({
      insight: f.id,
      figure: `per-route p95 at the peak ${new Date(peak).toISOString().slice(11, 19)} (× ${P95_BUCKET_FACTOR})`,
      scan: `${s3(low)}–${high >= largest ? `≥ ${largest} s` : s3(high)} on ${atPeak.size} routes`,
      clients:
        `${range(truth.low)} – ${range(truth.high)} on ${truth.routes} routes, ${truth.requests} requests in their ` +
        `series' sample spans` +
        (truth.unheard.length ? `; no recorded request: ${truth.unheard.join(', ')}` : ''),
      ok: truth.routes > 0 && within(low, truth.low) && highOk,
    });
    out.push(stretchMean(f, ctx, POOL_MEAN_SHARE).check);
  }
  if (f.id === 'api-overload-http-500') {
    const inStretch = answered(ctx.requests, f.start - ctx.windowSeconds * 1000, f.end);
    const failed = inStretch.filter((r) => r.status >= 500).length;
    const clientsShare = inStretch.length ? failed / inStretch.length : NaN;
    const scanShare = num(e.errorShare);
    out.push({
      insight: f.id,
      figure: `5xx share (± ${OVERLOAD_SHARE_FACTOR * 100} %)`,
      scan: `${(scanShare * 100).toFixed(1)} %`,
      clients: `${(clientsShare * 100).toFixed(1)} % (${failed} of ${inStretch.length} answered in the detected stretch)`,
      ok: Math.abs(scanShare - clientsShare) <= OVERLOAD_SHARE_FACTOR * clientsShare,
    });
  }
  if (f.id === 'api-outage') {
    const down = num(e.downSeconds);
    const silence = clientSilence(ctx.requests, inj.start, inj.end) / 1000;
    out.push({
      insight: f.id,
      figure: `down length (± ${OUTAGE_LENGTH_TOLERANCE_S} s)`,
      scan: `${down} s`,
      clients: `${silence.toFixed(1)} s without an answer (injected ${((inj.end - inj.start) / 1000).toFixed(1)} s)`,
      ok: Math.abs(down - silence) <= OUTAGE_LENGTH_TOLERANCE_S,
    });
  }
  return out;
}

export const formatCheck = (c: EvidenceCheck) =>
  `${c.ok ? 'true' : 'UNTRUE'}: ${c.insight} ${c.figure}: scan ${c.scan}; clients ${c.clients}`;
