// The traffic model: what one API server's requests look like over time, route by route, and the cumulative
// histogram a Prometheus client would expose for them. Everything is a pure function of (seed, route, time) plus
// per-series running sums, so series can be generated one at a time (backfill) or up to "now" (exporter).
import { hash32, normalCdf, normalInv, poisson, uniform } from './random';
import type { RouteDef } from './routes';

/** One part of a route's latency distribution: log-normal, or a point mass when sigma is 0. */
export interface LatencyComponent {
  weight: number;
  /** seconds */
  median: number;
  sigma: number;
  /** Share of this component's requests answered with 5xx (0..1). */
  error: number;
}

/** A route's state at one instant: request rate and latency mixture. */
export interface RouteCondition {
  /** requests per second */
  rate: number;
  components: LatencyComponent[];
}

/** A change of behaviour over [start, end) (unix ms), e.g. an incident. */
export interface Effect {
  /** Scenario id or `decoy:<name>`, for diagnostics. */
  id: string;
  start: number;
  end: number;
  /** Routes this effect may answer with 5xx: they get a 5xx series. */
  errorRoutes?: string[];
  apply(route: RouteDef, t: number, condition: RouteCondition): RouteCondition;
}

/**
 * The server not answering over [start, end): `down` = scrapes fail (up 0, no samples); `hang` = the exporter
 * keeps serving the last values (up 1, nothing advances). Either way the process restarts at `end`: counters reset.
 */
export interface Downtime {
  id: string;
  start: number;
  end: number;
  kind: 'down' | 'hang';
  /** Replica (0-based) this downtime hits; undefined: every replica (the whole service). */
  replica?: number;
}

export interface ServiceIdentity {
  /** `job` label (and service_name where the convention has it). */
  job: string;
  instance: string;
  serviceName: string;
}

export interface ModelOptions {
  seed: number;
  routes: RouteDef[];
  /** unix ms: the process starts here (counters from 0). */
  start: number;
  effects?: Effect[];
  downtimes?: Downtime[];
  service?: ServiceIdentity;
  /** Multiplies every latency (another service beside Prefect). */
  latencyScale?: number;
  rateScale?: number;
  /** Background 5xx share on every route (0 by default, keeping series few). */
  background5xx?: number;
  /** Amplitude of the daily load cycle (0..1), default 0.35. */
  diurnalAmplitude?: number;
  /** Replica index behind a load balancer (0 = the first or only one): seeds its own request noise. */
  replica?: number;
  /**
   * OpenTelemetry's SDK draws a new `service.instance.id` at every process start, and OTLP pushed into Prometheus
   * puts it in `instance`: the instance label then changes at each restart, and there is no scrape, so no `up`.
   */
  instancePerProcess?: boolean;
}

export interface GroundTruth {
  /** requests per second, expected (no Poisson noise) */
  rate: number;
  /** seconds, of the generating distribution */
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** share of 5xx among requests */
  errorShare: number;
}

export type StatusClass = 'ok' | 'error' | 'all';

export const PREFECT_SERVICE: ServiceIdentity = Object.freeze({
  job: 'prefect-server',
  instance: 'prefect-server:4200',
  serviceName: 'prefect-server',
});

const DAY_MS = 86400000;

export class TrafficModel {
  readonly seed: number;
  readonly routes: RouteDef[];
  readonly start: number;
  readonly effects: Effect[];
  readonly downtimes: Downtime[];
  readonly service: ServiceIdentity;
  private readonly latencyScale: number;
  private readonly rateScale: number;
  private readonly background5xx: number;
  private readonly amplitude: number;
  private readonly serviceKey: number;
  readonly replica: number;
  readonly instancePerProcess: boolean;

  constructor(opts: ModelOptions) {
    this.seed = opts.seed;
    this.routes = opts.routes;
    this.start = opts.start;
    this.effects = (opts.effects ?? []).slice().sort((a, b) => a.start - b.start);
    this.downtimes = (opts.downtimes ?? []).slice().sort((a, b) => a.start - b.start);
    this.service = opts.service ?? PREFECT_SERVICE;
    this.latencyScale = opts.latencyScale ?? 1;
    this.rateScale = opts.rateScale ?? 1;
    this.background5xx = opts.background5xx ?? 0;
    this.amplitude = opts.diurnalAmplitude ?? 0.35;
    let key = 0;
    for (const ch of this.service.job) {
      key = (Math.imul(key, 31) + ch.charCodeAt(0)) | 0;
    }
    // Replica 0 keeps the single server's key, so single-replica timelines are unchanged by replicas existing.
    this.replica = opts.replica ?? 0;
    this.serviceKey = this.replica === 0 ? key : (key ^ Math.imul(this.replica, 0x9e3779b1)) | 0;
    this.instancePerProcess = opts.instancePerProcess ?? false;
  }

  /** The `instance` label of the process serving at t (a new id per process where instancePerProcess). */
  instanceAt(t: number): string {
    if (!this.instancePerProcess) {
      return this.service.instance;
    }
    const started = this.processStart(t);
    const hex = (k: number) =>
      hash32(this.seed, this.serviceKey, Math.floor(started / 1000), k)
        .toString(16)
        .padStart(8, '0');
    // uuid-shaped, as the SDK's default is a random UUID.
    return `${hex(1)}-${hex(2).slice(0, 4)}-4${hex(2).slice(5)}-${hex(3).slice(0, 4)}-${hex(3).slice(4)}${hex(4)}`;
  }

  routeIndex(id: string): number {
    const i = this.routes.findIndex((r) => r.id === id);
    if (i < 0) {
      throw new Error(`route ${id} is not in this model`);
    }
    return i;
  }

  /** Relative load of the daily cycle (1 = average), peaking mid-afternoon UTC. */
  load(t: number): number {
    const hour = (((t % DAY_MS) + DAY_MS) % DAY_MS) / 3600000;
    return 1 + this.amplitude * Math.sin((2 * Math.PI * (hour - 8)) / 24);
  }

  /** The route's expected condition at t: daily cycle and effects, no noise. */
  condition(routeIndex: number, t: number): RouteCondition {
    const route = this.routes[routeIndex];
    const load = this.load(t);
    let c: RouteCondition = {
      rate: route.baseRate * load * this.rateScale,
      components: [
        {
          weight: 1,
          median: route.medianSeconds * this.latencyScale * (1 + 0.1 * (load - 1)),
          sigma: route.sigma,
          error: this.background5xx,
        },
      ],
    };
    for (const e of this.effects) {
      if (e.start > t) {
        break;
      }
      if (t < e.end) {
        c = e.apply(route, t, c);
      }
    }
    return c;
  }

  downtimeAt(t: number): Downtime | undefined {
    return this.downtimes.find((d) => d.start <= t && t < d.end);
  }

  /** Whether a scrape at t succeeds (`up` 1). */
  isUp(t: number): boolean {
    return this.downtimeAt(t)?.kind !== 'down';
  }

  /** Start of the process serving at t: the model start or the end of the last downtime before t. */
  processStart(t: number): number {
    let s = this.start;
    for (const d of this.downtimes) {
      if (d.end <= t) {
        s = Math.max(s, d.end);
      }
    }
    return s;
  }

  /** Whether the route ever answers 5xx in this model (decides whether a 5xx series exists). */
  hasErrors(routeId: string): boolean {
    return this.background5xx > 0 || this.effects.some((e) => e.errorRoutes?.includes(routeId));
  }

  truth(routeId: string, t: number): GroundTruth {
    const i = this.routeIndex(routeId);
    const c = this.condition(i, t);
    const down = this.downtimeAt(t) !== undefined;
    const w = totalWeight(c.components, 'all');
    const errW = totalWeight(c.components, 'error');
    return {
      rate: down ? 0 : c.rate,
      p50: mixtureQuantile(c.components, 0.5),
      p95: mixtureQuantile(c.components, 0.95),
      p99: mixtureQuantile(c.components, 0.99),
      mean: mixtureMean(c.components, 'all'),
      errorShare: w > 0 ? errW / w : 0,
    };
  }

  /** Condition with the seeded per-minute latency wobble used for generation. */
  noisyCondition(routeIndex: number, t: number): RouteCondition {
    const c = this.condition(routeIndex, t);
    const z = normalInv(uniform(this.seed, this.serviceKey, routeIndex, Math.floor(t / 60000), 7));
    const f = Math.exp(0.04 * z);
    return { rate: c.rate, components: c.components.map((k) => (k.sigma > 0 ? { ...k, median: k.median * f } : k)) };
  }

  /** Requests of route i in (t - dt, t]: Poisson around the expected count, seeded by (route, second). */
  requests(routeIndex: number, t: number, dtMs: number): { n: number; errorShare: number; c: RouteCondition } {
    const c = this.noisyCondition(routeIndex, t - dtMs / 2);
    const u = uniform(this.seed, this.serviceKey, routeIndex, Math.round(t / 1000), 1);
    const n = poisson((c.rate * dtMs) / 1000, u);
    const w = totalWeight(c.components, 'all');
    return { n, errorShare: w > 0 ? totalWeight(c.components, 'error') / w : 0, c };
  }
}

function componentWeight(k: LatencyComponent, status: StatusClass): number {
  if (status === 'all') {
    return k.weight;
  }
  return status === 'error' ? k.weight * k.error : k.weight * (1 - k.error);
}

export function totalWeight(components: LatencyComponent[], status: StatusClass): number {
  let w = 0;
  for (const k of components) {
    w += componentWeight(k, status);
  }
  return w;
}

/** P(latency <= x) for the requests of one status class. */
export function mixtureCdf(components: LatencyComponent[], x: number, status: StatusClass = 'all'): number {
  let w = 0;
  let p = 0;
  for (const k of components) {
    const kw = componentWeight(k, status);
    if (kw <= 0) {
      continue;
    }
    w += kw;
    if (k.sigma <= 0) {
      p += x >= k.median ? kw : 0;
    } else if (x > 0) {
      p += kw * normalCdf(Math.log(x / k.median) / k.sigma);
    }
  }
  return w > 0 ? p / w : 0;
}

export function mixtureMean(components: LatencyComponent[], status: StatusClass = 'all'): number {
  let w = 0;
  let m = 0;
  for (const k of components) {
    const kw = componentWeight(k, status);
    w += kw;
    m += kw * k.median * Math.exp((k.sigma * k.sigma) / 2);
  }
  return w > 0 ? m / w : 0;
}

/** Quantile of the mixture by bisection on a log scale (exact enough for comparisons within a bucket). */
export function mixtureQuantile(components: LatencyComponent[], q: number, status: StatusClass = 'all'): number {
  let lo = Math.log(1e-7);
  let hi = Math.log(1e5);
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (mixtureCdf(components, Math.exp(mid), status) >= q) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return Math.exp(hi);
}

/** What a Prometheus client exposes for one (route, status class) at one instant. */
export interface HistogramSnapshot {
  /** cumulative counts per bucket bound (same order as the bounds), then +Inf = count */
  buckets: number[];
  count: number;
  /** seconds */
  sum: number;
}

/**
 * Running cumulative histogram of one (route, status class). Bucket counts are expected shares accumulated as
 * floats and rounded, so they are integers, monotone in time and across bounds, and their quantiles track the
 * generating distribution closely; the noise is in the request counts and a per-minute latency wobble.
 */
export class HistogramAccumulator {
  private last: number;
  private processStart: number;
  private cumN = 0;
  private cumErrF = 0;
  private cumStatus = 0;
  private readonly cumB: Float64Array;
  private sum = 0;

  constructor(
    private readonly model: TrafficModel,
    readonly routeIndex: number,
    readonly status: StatusClass,
    /** seconds, ascending, without +Inf */
    readonly bounds: number[],
    from: number
  ) {
    this.last = from;
    this.processStart = model.processStart(from);
    this.cumB = new Float64Array(bounds.length);
  }

  /**
   * Advances to t in steps of at most maxStepMs. During a `hang`/`down` downtime nothing advances; after one, the
   * counters start again from zero (a restart).
   */
  advance(t: number, maxStepMs = 60000): void {
    const ps = this.model.processStart(t);
    if (ps > this.processStart) {
      this.reset();
      this.processStart = ps;
      this.last = Math.max(this.last, ps);
    }
    while (this.last < t) {
      const next = Math.min(t, this.last + maxStepMs);
      this.step(next, next - this.last);
      this.last = next;
    }
  }

  snapshot(): HistogramSnapshot {
    const count = this.cumStatus;
    const buckets = new Array<number>(this.bounds.length + 1);
    for (let j = 0; j < this.bounds.length; j++) {
      buckets[j] = Math.min(count, Math.round(this.cumB[j]));
    }
    buckets[this.bounds.length] = count;
    return { buckets, count, sum: this.sum };
  }

  private reset(): void {
    this.cumN = 0;
    this.cumErrF = 0;
    this.cumStatus = 0;
    this.cumB.fill(0);
    this.sum = 0;
  }

  private step(t: number, dt: number): void {
    if (this.model.downtimeAt(t - dt / 2) !== undefined) {
      return;
    }
    const { n, errorShare, c } = this.model.requests(this.routeIndex, t, dt);
    if (n === 0) {
      return;
    }
    const prevErr = Math.round(this.cumErrF);
    this.cumN += n;
    this.cumErrF += n * errorShare;
    const dErr = Math.round(this.cumErrF) - prevErr;
    const dn = this.status === 'all' ? n : this.status === 'error' ? dErr : n - dErr;
    if (dn <= 0) {
      return;
    }
    this.cumStatus += dn;
    this.sum += dn * mixtureMean(c.components, this.status);
    for (let j = 0; j < this.bounds.length; j++) {
      this.cumB[j] += dn * mixtureCdf(c.components, this.bounds[j], this.status);
    }
  }
}
