// Builds ScanInputs for detector tests: steady, slightly noisy traffic with a daily cycle, into which a test
// injects one signature. Times are minutes relative to the start of the requested range (negative = look-back).
import { DEFAULT_PREFECT_SETTINGS, type PrefectSettings } from '../../catalog/prefectSettings';
import type { RouteSeries, ScanInput } from '../types';

export const DEFAULT_ROUTES: readonly string[] = [
  '/flow_runs/filter',
  '/flow_runs/paginate',
  '/flow_runs/count',
  '/task_runs/count',
  '/ui/task_runs/dashboard/counts',
  '/flow_runs/{id}/set_state',
  '/task_runs/{id}/set_state',
  '/flow_runs/{id}',
  '/deployments/{id}',
  '/work_pools/{name}',
  '/work_pools/{name}/get_scheduled_flow_runs',
  '/work_queues/{id}/get_runs',
  '/work_pools/{name}/workers/heartbeat',
  '/health',
];

export interface BuilderOptions {
  stepMs?: number;
  /** Requested range, minutes. */
  rangeMinutes?: number;
  /** Look-back before the range, minutes. */
  lookbackMinutes?: number;
  routes?: readonly string[];
  /** Range start, unix ms. */
  startMs?: number;
  largestBucket?: number | null;
  /** Finite bucket bounds (seconds, ascending) of a classic histogram; default: none given. */
  bucketBounds?: readonly number[];
  settings?: Partial<PrefectSettings>;
  /** Relative amplitude of the daily cycle of traffic (latency follows at a third of it). */
  dailyCycle?: number;
  /** Relative point-to-point noise. */
  noise?: number;
  seed?: number;
}

type Field = 'p50' | 'p95' | 'p99' | 'mean' | 'rate' | 'errorRate' | 'slowShare' | 'tailShare';
type RouteSelector = string | string[] | ((route: string) => boolean);

export class ScanInputBuilder {
  readonly stepMs: number;
  readonly lookbackPoints: number;
  readonly length: number;
  readonly startMs: number;
  private readonly routes: RouteSeries[];
  private readonly up: Float64Array;
  private readonly opts: BuilderOptions;

  constructor(opts: BuilderOptions = {}) {
    this.opts = opts;
    this.stepMs = opts.stepMs ?? 15_000;
    this.lookbackPoints = Math.round(((opts.lookbackMinutes ?? 360) * 60_000) / this.stepMs);
    const rangePoints = Math.round(((opts.rangeMinutes ?? 180) * 60_000) / this.stepMs);
    this.length = this.lookbackPoints + rangePoints;
    this.startMs = opts.startMs ?? Date.UTC(2026, 10, 2, 12, 0, 0);
    const cycle = opts.dailyCycle ?? 0.3;
    const noise = opts.noise ?? 0.08;
    let state = (opts.seed ?? 7) >>> 0 || 1;
    const rand = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const names = opts.routes ?? DEFAULT_ROUTES;
    this.routes = names.map((route, k) => {
      const base = 0.04 + 0.02 * (k % 5);
      const rate = 0.5 + (k % 4);
      const s = emptySeries(route, this.length);
      for (let i = 0; i < this.length; i++) {
        const day = Math.sin((2 * Math.PI * this.timeAt(i)) / 86_400_000);
        const jitter = 1 + noise * (2 * rand() - 1);
        const p95 = base * (1 + (cycle / 3) * day) * jitter;
        s.p50[i] = p95 / 3;
        s.p95[i] = p95;
        s.p99[i] = p95 * 2;
        s.mean[i] = p95 / 2;
        s.rate[i] = rate * (1 + cycle * day) * (1 + noise * (2 * rand() - 1));
        s.errorRate[i] = 0;
        s.slowShare[i] = 0;
        s.tailShare[i] = 0;
      }
      return s;
    });
    this.up = new Float64Array(this.length).fill(1);
  }

  timeAt(index: number): number {
    return this.startMs + (index - this.lookbackPoints) * this.stepMs;
  }

  /** Grid index of a time given in minutes from the range start. */
  indexAt(minutes: number): number {
    return this.lookbackPoints + Math.round((minutes * 60_000) / this.stepMs);
  }

  routeNames(select: RouteSelector): string[] {
    return this.pick(select).map((r) => r.route);
  }

  /** Applies fn to every point of the selected routes in [fromMin, toMin] (inclusive). */
  each(select: RouteSelector, fromMin: number, toMin: number, fn: (s: RouteSeries, i: number) => void): this {
    const from = Math.max(0, this.indexAt(fromMin));
    const to = Math.min(this.length - 1, this.indexAt(toMin));
    for (const s of this.pick(select)) {
      for (let i = from; i <= to; i++) {
        fn(s, i);
      }
    }
    return this;
  }

  set(select: RouteSelector, fromMin: number, toMin: number, values: Partial<Record<Field, number>>): this {
    return this.each(select, fromMin, toMin, (s, i) => {
      for (const [k, v] of Object.entries(values) as Array<[Field, number]>) {
        s[k][i] = v;
      }
    });
  }

  /** Multiplies latencies (all quantiles and the mean) of the selected routes. */
  slower(select: RouteSelector, fromMin: number, toMin: number, factor: number): this {
    return this.each(select, fromMin, toMin, (s, i) => {
      s.p50[i] *= factor;
      s.p95[i] *= factor;
      s.p99[i] *= factor;
      s.mean[i] *= factor;
    });
  }

  /** Multiplies request rates; errors keep their share. */
  busier(select: RouteSelector, fromMin: number, toMin: number, factor: number): this {
    return this.each(select, fromMin, toMin, (s, i) => {
      s.rate[i] *= factor;
      s.errorRate[i] *= factor;
    });
  }

  /** Sets the 5xx share of the selected routes. */
  errors(select: RouteSelector, fromMin: number, toMin: number, share: number): this {
    return this.each(select, fromMin, toMin, (s, i) => {
      s.errorRate[i] = s.rate[i] * share;
    });
  }

  /** Sets `up` over [fromMin, toMin]. */
  upValue(fromMin: number, toMin: number, value: number): this {
    const from = Math.max(0, this.indexAt(fromMin));
    const to = Math.min(this.length - 1, this.indexAt(toMin));
    this.up.fill(value, from, to + 1);
    return this;
  }

  /** No samples at all for the selected routes (series gone / Prometheus gap). */
  gap(select: RouteSelector, fromMin: number, toMin: number): this {
    return this.set(select, fromMin, toMin, {
      p50: NaN,
      p95: NaN,
      p99: NaN,
      mean: NaN,
      rate: NaN,
      errorRate: NaN,
      slowShare: NaN,
      tailShare: NaN,
    });
  }

  build(): ScanInput {
    return {
      grid: { start: this.timeAt(0), step: this.stepMs, length: this.length },
      rangeStartIndex: this.lookbackPoints,
      routes: this.routes.map((r) => ({
        route: r.route,
        p50: r.p50.slice(),
        p95: r.p95.slice(),
        p99: r.p99.slice(),
        mean: r.mean.slice(),
        rate: r.rate.slice(),
        errorRate: r.errorRate.slice(),
        slowShare: r.slowShare.slice(),
        tailShare: r.tailShare.slice(),
      })),
      up: this.up.slice(),
      largestBucket: this.opts.largestBucket === undefined ? 10 : this.opts.largestBucket,
      bucketBounds: this.opts.bucketBounds,
      scrapeIntervalMs: this.stepMs,
      settings: { ...DEFAULT_PREFECT_SETTINGS, ...this.opts.settings },
    };
  }

  private pick(select: RouteSelector): RouteSeries[] {
    if (typeof select === 'function') {
      return this.routes.filter((r) => select(r.route));
    }
    const names = typeof select === 'string' ? [select] : select;
    const found = this.routes.filter((r) => names.includes(r.route));
    if (found.length !== names.length) {
      throw new Error(`unknown route in ${names.join(', ')}`);
    }
    return found;
  }
}

function emptySeries(route: string, n: number): RouteSeries {
  return {
    route,
    p50: new Float64Array(n),
    p95: new Float64Array(n),
    p99: new Float64Array(n),
    mean: new Float64Array(n),
    rate: new Float64Array(n),
    errorRate: new Float64Array(n),
    slowShare: new Float64Array(n),
    tailShare: new Float64Array(n),
  };
}

/** Caps quantiles as a classic histogram does: a value in +Inf is reported as the largest finite bound. */
export function capQuantiles(input: ScanInput): ScanInput {
  const lb = input.largestBucket;
  if (lb === null) {
    return input;
  }
  for (const r of input.routes) {
    for (const q of [r.p50, r.p95, r.p99]) {
      for (let i = 0; i < q.length; i++) {
        if (q[i] > lb) {
          q[i] = lb;
        }
      }
    }
  }
  return input;
}
