// Input series for `promtool test rules`, built from the metric conventions (never written per convention):
// each route serves requests whose latency is uniform on [0, 2v], so bucket interpolation gives p95 = 1.9 v
// exactly, and a scenario says per minute and route how many requests, which v, which share fails, and whether
// the target is up. Must-fire scenarios are the insights' signatures; decoys are what must not fire.
import { CONVENTIONS } from '../../src/prometheus/conventions';
import { metricSelector } from '../../src/prometheus/escape';
import type { MetricConvention } from '../../src/prometheus/types';
import type { DetectableInsightId } from '../../src/catalog/types';
import { SIM_CONVENTIONS, type ConventionId } from '../../tools/simulator/conventions';

export const JOB = 'prefect';
export const INSTANCE = 'prefect-server:4200';

export interface RouteSpec {
  path: string;
  method: string;
}

export const ROUTES: RouteSpec[] = [
  { path: '/api/health', method: 'GET' },
  { path: '/api/flow_runs/filter', method: 'POST' },
  { path: '/api/task_runs/count', method: 'POST' },
  { path: '/api/work_pools/{name}', method: 'GET' },
  { path: '/api/flow_runs/{id}/set_state', method: 'POST' },
  { path: '/api/work_queues/{id}/get_runs', method: 'POST' },
  { path: '/api/flow_runs/{id}', method: 'GET' },
  { path: '/api/deployments/{id}', method: 'GET' },
  { path: '/api/flows/{id}', method: 'GET' },
];

export interface Load {
  /** requests in the minute */
  n: number;
  /** mean latency in seconds (uniform on [0, 2v]) */
  v: number;
  /** share of the requests answered 5xx */
  err: number;
}

export interface Check {
  at: number;
  fires: DetectableInsightId | null;
  /** The alert's own labels besides severity/insight: the route it is about, or the scrape target that is down. */
  route?: string;
  target?: boolean;
}

export interface Scenario {
  name: string;
  minutes: number;
  /** Minutes per point (1 for latency scenarios, 30 for the multi-day trend). */
  stepMinutes: number;
  load(minute: number, route: RouteSpec): Load;
  /** 'down': no scrape (and the counters restart from zero afterwards). */
  target(minute: number): 'up' | 'down';
  /** Minute of evaluation → the insight that must be firing then (null: nothing may fire). */
  checks: Check[];
}

const HISTORY = 90;
const NORMAL: Load = { n: 60, v: 0.04, err: 0 };
const isDb = (r: RouteSpec) => r.path !== '/api/health';
const normal = (r: RouteSpec): Load => (r.path === '/api/health' ? { ...NORMAL, v: 0.004 } : NORMAL);
const during = (m: number, from: number, to: number) => m >= from && m < to;
const always = () => 'up' as const;

function incident(
  name: string,
  fires: DetectableInsightId,
  hit: (r: RouteSpec) => Load | null,
  route?: string
): Scenario {
  const length = 25;
  const at = 15;
  return {
    name,
    minutes: HISTORY + length,
    stepMinutes: 1,
    load: (m, r) => (m >= HISTORY ? (hit(r) ?? normal(r)) : normal(r)),
    target: always,
    checks: [
      { at: HISTORY - 5, fires: null },
      { at: HISTORY + at, fires, route },
    ],
  };
}

export const MUST_FIRE: Scenario[] = [
  incident('pool exhaustion', 'db-pool-exhaustion', (r) => (isDb(r) ? { n: 60, v: 25, err: 0.3 } : null)),
  incident(
    'task_runs/count slow',
    'task-runs-count-timeout',
    (r) => (r.path.endsWith('/task_runs/count') ? { n: 60, v: 15, err: 0 } : null),
    '/api/task_runs/count'
  ),
  incident(
    'runs page slow',
    'runs-page-slow',
    (r) => (r.path.endsWith('/flow_runs/filter') ? { n: 60, v: 15, err: 0 } : null),
    '/api/flow_runs/filter'
  ),
  incident(
    'work pool read hangs',
    'read-work-pool-hang',
    (r) => (r.path.endsWith('/work_pools/{name}') ? { n: 60, v: 40, err: 0 } : null),
    '/api/work_pools/{name}'
  ),
  incident(
    'set_state past the client timeout',
    'pending-deadlock',
    (r) => (r.path.endsWith('/set_state') ? { n: 60, v: 70, err: 0 } : null),
    '/api/flow_runs/{id}/set_state'
  ),
  incident('overload with 5xx', 'api-overload-http-500', (r) => ({
    n: 180,
    v: r.path === '/api/health' ? 0.01 : 0.1,
    err: 0.1,
  })),
  {
    name: 'agent stops polling after errors',
    minutes: HISTORY + 35,
    stepMinutes: 1,
    load: (m, r) =>
      r.path.endsWith('/get_runs') && m >= HISTORY
        ? m < HISTORY + 5
          ? { n: 60, v: 0.04, err: 0.5 }
          : { n: 0, v: 0.04, err: 0 }
        : normal(r),
    target: always,
    checks: [
      { at: HISTORY + 12, fires: null },
      { at: HISTORY + 20, fires: 'http2-agent-stop', route: '/api/work_queues/{id}/get_runs' },
    ],
  },
  {
    name: 'server down',
    minutes: HISTORY + 20,
    stepMinutes: 1,
    load: (_m, r) => normal(r),
    target: (m) => (during(m, HISTORY, HISTORY + 6) ? 'down' : 'up'),
    checks: [{ at: HISTORY + 5, fires: 'api-outage', target: true }],
  },
  {
    name: 'server hung (exporter up, nothing advances)',
    minutes: HISTORY + 20,
    stepMinutes: 1,
    load: (m, r) => (during(m, HISTORY, HISTORY + 12) ? { n: 0, v: 0.04, err: 0 } : normal(r)),
    target: always,
    checks: [{ at: HISTORY + 9, fires: 'api-outage' }],
  },
  {
    name: 'statistics go stale over days',
    minutes: 4 * 24 * 60,
    stepMinutes: 30,
    load: (m, r) =>
      r.path.endsWith('/flow_runs/filter')
        ? { n: 1800, v: 0.04 * Math.pow(1.25, m / 1440), err: 0 }
        : { ...normal(r), n: 1800 },
    target: always,
    checks: [
      { at: 2 * 24 * 60, fires: null },
      { at: 4 * 24 * 60 - 60, fires: 'stale-statistics', route: '/api/flow_runs/filter' },
    ],
  },
];

function quiet(name: string, minutes: number, load: Scenario['load'], target: Scenario['target'] = always): Scenario {
  const checks: Scenario['checks'] = [];
  for (let at = HISTORY - 2; at <= minutes - 1; at++) {
    checks.push({ at, fires: null });
  }
  return { name, minutes, stepMinutes: 1, load, target, checks };
}

export const DECOYS: Scenario[] = [
  quiet('one slow scrape on every route', HISTORY + 10, (m, r) =>
    m === HISTORY && isDb(r) ? { n: 60, v: 25, err: 0.3 } : normal(r)
  ),
  quiet('one slow scrape of set_state', HISTORY + 10, (m, r) =>
    m === HISTORY && r.path.endsWith('/set_state') ? { n: 60, v: 90, err: 0 } : normal(r)
  ),
  quiet(
    'a restart under a minute',
    HISTORY + 10,
    (_m, r) => normal(r),
    (m) => (m === HISTORY ? 'down' : 'up')
  ),
  quiet('a traffic bump without errors', HISTORY + 30, (m, r) =>
    during(m, HISTORY, HISTORY + 25) ? { ...normal(r), n: 150 } : normal(r)
  ),
];

/** Bucket bounds in seconds for a convention: the simulator's, which are the instrumentations' own. */
function bucketsFor(c: MetricConvention): number[] {
  return SIM_CONVENTIONS[c.id as ConventionId].bucketsSeconds;
}

function unitValue(c: MetricConvention, seconds: number): number {
  return c.unit === 'milliseconds' ? Number((seconds * 1000).toPrecision(12)) : seconds;
}

/** Share of uniform-[0, 2v] requests at or below `bound` seconds. */
function shareBelow(bound: number, v: number): number {
  return v > 0 ? Math.min(1, Math.max(0, bound / (2 * v))) : 1;
}

export interface InputSeries {
  series: string;
  values: string;
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}

function seriesText(name: string, labels: Record<string, string>): string {
  const sel = metricSelector(name, []);
  const body = labelsText(labels);
  return sel.startsWith('{') ? `${sel.slice(0, -1)}, ${body}}` : `${name}{${body}}`;
}

/** One cumulative counter as promtool values: `_` while the target is down, restarting from 0 afterwards. */
function counterValues(s: Scenario, inc: (minute: number) => number): string {
  const out: string[] = [];
  let total = 0;
  let wasDown = false;
  for (let m = 0; m < s.minutes; m += s.stepMinutes) {
    if (s.target(m) === 'down') {
      out.push('_');
      wasDown = true;
      continue;
    }
    if (wasDown) {
      total = 0;
      wasDown = false;
    }
    for (let k = 0; k < s.stepMinutes; k++) {
      total += inc(m + k);
    }
    out.push(String(Number(total.toPrecision(12))));
  }
  return out.join(' ');
}

/** Every input series of a scenario in a convention: histogram per route and status, status counter, `up`. */
export function inputSeries(c: MetricConvention, s: Scenario): InputSeries[] {
  const u = c.usualLabels;
  const buckets = bucketsFor(c);
  const out: InputSeries[] = [];
  const statusOf = (failing: boolean, code: string) =>
    c.statusCounter ? (failing ? '5xx' : '2xx') : failing ? '500' : code;
  for (const r of ROUTES) {
    const base: Record<string, string> = { job: JOB, instance: INSTANCE, [u.route]: r.path, [u.method]: r.method };
    const shares: Array<{ failing: boolean; share: (l: Load) => number }> = [
      { failing: false, share: (l) => 1 - l.err },
    ];
    let fails = false;
    for (let m = 0; m < s.minutes && !fails; m++) {
      fails = s.load(m, r).err > 0;
    }
    if (fails) {
      shares.push({ failing: true, share: (l) => l.err });
    }
    // Without a status label the histogram is one series per route; only the companion counter splits by status.
    const histogramParts = u.status ? shares : [{ failing: false, share: () => 1 }];
    for (const part of histogramParts) {
      const labels = u.status ? { ...base, [u.status]: statusOf(part.failing, '200') } : base;
      const n = (m: number) => {
        const l = s.load(m, r);
        return l.n * part.share(l);
      };
      for (const b of buckets) {
        out.push({
          series: seriesText(`${c.name}_bucket`, { ...labels, le: String(unitValue(c, b)) }),
          values: counterValues(s, (m) => n(m) * shareBelow(b, s.load(m, r).v)),
        });
      }
      out.push({ series: seriesText(`${c.name}_bucket`, { ...labels, le: '+Inf' }), values: counterValues(s, n) });
      out.push({ series: seriesText(`${c.name}_count`, labels), values: counterValues(s, n) });
      out.push({
        series: seriesText(`${c.name}_sum`, labels),
        values: counterValues(s, (m) => n(m) * unitValue(c, s.load(m, r).v)),
      });
    }
    if (c.statusCounter) {
      for (const part of shares) {
        out.push({
          series: seriesText(c.statusCounter.name, { ...base, [c.statusCounter.label]: statusOf(part.failing, '') }),
          values: counterValues(s, (m) => {
            const l = s.load(m, r);
            return l.n * part.share(l);
          }),
        });
      }
    }
  }
  const up: string[] = [];
  for (let m = 0; m < s.minutes; m += s.stepMinutes) {
    up.push(s.target(m) === 'up' ? '1' : '0');
  }
  out.push({ series: `up{${labelsText({ job: JOB, instance: INSTANCE })}}`, values: up.join(' ') });
  return out;
}

export const TESTED_CONVENTIONS = CONVENTIONS;
