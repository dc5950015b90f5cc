// Incidents and decoys laid out on one timeline, each with its ground truth. Every detectable insight of
// insight-signatures.md has a scenario injecting its signature (magnitudes, durations and routes drawn from the
// seed); decoys look alarming but must not be reported. The daily load cycle is present on every timeline.
import type { DetectableInsightId } from '../../src/catalog/types';
import { getConvention, type ConventionId } from './conventions';
import {
  PREFECT_SERVICE,
  TrafficModel,
  type Downtime,
  type Effect,
  type LatencyComponent,
  type RouteCondition,
} from './model';
import type { RenderInput } from './openmetrics';
import { createRng, type Rng } from './random';
import { COMPACT_ROUTE_IDS, fleetRoutes, inFamily, selectRoutes, type RouteDef, type RouteFamily } from './routes';

export type DecoyId = 'decoy:one-scrape-spike' | 'decoy:short-restart' | 'decoy:traffic-bump';
/** One replica of several failing (truth id `api-outage`, scope replica), or restarting under a new instance id. */
export type ReplicaScenarioId = 'replica-down' | 'replica-hang' | 'decoy:replica-restart';
/**
 * Decoys just short of a signature (issue 16: the first decoys sat far from every threshold), and a server that idles
 * for hours, serves for minutes and dies (truth id `api-outage`; run it pushed, `instancePerProcess`, for no `up`).
 */
export type NearMissId =
  | 'decoy:near-overload'
  | 'decoy:one-route-4x'
  | 'decoy:route-plus-900ms'
  | 'decoy:slow-burst-90s'
  | 'outage-after-idle'
  | 'over:overload'
  | 'over:slow-burst-150s'
  | 'over:restart-150s'
  | 'count-cut-at-timeout';
export type ScenarioId = DetectableInsightId | DecoyId | ReplicaScenarioId | NearMissId;

export const DECOY_IDS: readonly DecoyId[] = ['decoy:one-scrape-spike', 'decoy:short-restart', 'decoy:traffic-bump'];

/** What happened, when: compare detections with it. */
export interface TruthEntry {
  /** insight id, `decoy:<name>`, or `decoy:other-service` (another service's incident beside Prefect). */
  id: string;
  /** unix ms: first and last instant the signature is injected */
  start: number;
  end: number;
  /** route templates without `/api` */
  routes: string[];
  /** unix ms: start of a precursor that is part of the story but not of the signature (http2-agent-stop's errors). */
  leadIn?: number;
  /** Seed-drawn facts worth knowing in a test (variant, magnitudes). */
  params: Record<string, string | number>;
}

export interface TimelineOptions {
  seed: number;
  convention?: ConventionId;
  /** unix ms; default: UTC midnight `days + 1` days ago, so the data is recent */
  start?: number;
  days?: number;
  scrapeIntervalSeconds?: number;
  /** Scenarios in order. Default: as many of DEFAULT_ORDER as fit (plus stale-statistics first when days >= 4). */
  include?: ScenarioId[];
  /** Route ids (see routes.ts); default all sixteen. */
  routes?: string[];
  /** Instead of `routes`: this many routes from fleetRoutes (benchmarks of large installations). */
  routeCount?: number;
  /** Put `/api` before every route template (default true: Prefect mounts its API there). */
  apiPrefix?: boolean;
  /** Add another service's series (same route templates, slower, with an incident of its own). */
  otherService?: boolean;
  /** Normal traffic before the first scenario (baseline look-back), default 6. */
  leadHours?: number;
  /** Quiet time between scenarios, default 45 (+ up to 15 drawn from the seed). */
  gapMinutes?: number;
  poolTimeoutSeconds?: number;
  apiRequestTimeoutSeconds?: number;
  /** PREFECT_SERVER_DATABASE_TIMEOUT, where 'count-cut-at-timeout' cuts the counts (default 10, Prefect's). */
  statementTimeoutSeconds?: number;
  /** Prefect API servers behind a load balancer (default 1), each `instance="prefect-server-<k>:4200"`. */
  replicas?: number;
  /** OTLP push with OpenTelemetry's per-process `service.instance.id` as `instance`, and no `up` (see model.ts). */
  instancePerProcess?: boolean;
}

export interface Timeline extends RenderInput {
  seed: number;
  /** The Prefect server's model (models[0]; with replicas, models[0..replicas-1] are the replicas). */
  model: TrafficModel;
  truth: TruthEntry[];
  included: ScenarioId[];
}

export const DEFAULT_ORDER: readonly ScenarioId[] = [
  'db-pool-exhaustion',
  'decoy:one-scrape-spike',
  'task-runs-count-timeout',
  'decoy:traffic-bump',
  'runs-page-slow',
  'api-outage',
  'decoy:short-restart',
  'http2-agent-stop',
  'api-overload-http-500',
  'pending-deadlock',
  'read-work-pool-hang',
];

const MIN = 60000;
const HOUR = 3600000;
const DAY = 86400000;

interface ScenarioContext {
  rng: Rng;
  start: number;
  stepMs: number;
  routes: RouteDef[];
  poolTimeout: number;
  apiTimeout: number;
  statementTimeout: number;
  replicas: number;
}

interface Placed {
  end: number;
  effects: Effect[];
  downtimes: Downtime[];
  truth: TruthEntry;
}

function ids(routes: RouteDef[], family: RouteFamily): string[] {
  return routes.filter((r) => inFamily(r.id, family)).map((r) => r.id);
}

function need(list: string[], what: string, scenario: string): string[] {
  if (list.length === 0) {
    throw new Error(`scenario ${scenario} needs ${what} routes, and the timeline has none`);
  }
  return list;
}

/** An effect that rewrites the condition of the listed routes only. */
function onRoutes(
  id: string,
  start: number,
  end: number,
  routes: string[],
  fn: (c: RouteCondition, route: RouteDef, t: number) => RouteCondition,
  errorRoutes?: string[]
): Effect {
  const set = new Set(routes);
  return {
    id,
    start,
    end,
    errorRoutes,
    apply: (route, t, c) => (set.has(route.id) ? fn(c, route, t) : c),
  };
}

function scaleMedians(c: RouteCondition, f: number): RouteCondition {
  return { rate: c.rate, components: c.components.map((k) => (k.sigma > 0 ? { ...k, median: k.median * f } : k)) };
}

/** Replaces a share of the traffic with other components (the rest keeps its own distribution). */
function mix(c: RouteCondition, extra: LatencyComponent[]): RouteCondition {
  const share = extra.reduce((s, k) => s + k.weight, 0);
  const kept = c.components.map((k) => ({ ...k, weight: k.weight * (1 - share) }));
  return { rate: c.rate, components: [...kept, ...extra] };
}

type Builder = (ctx: ScenarioContext) => Placed;

const BUILDERS: Record<DetectableInsightId | DecoyId, Builder> = {
  'db-pool-exhaustion': ({ rng, start, routes, poolTimeout }) => {
    const db = need(ids(routes, 'database'), 'database-backed', 'db-pool-exhaustion');
    const share = rng.between(0.6, 1);
    const affected = rng.shuffle(db).slice(0, Math.max(1, Math.ceil(db.length * share)));
    const end = start + Math.round(rng.between(20, 40)) * MIN;
    const timedOut = rng.between(0.12, 0.3);
    const waiting = rng.between(0.25, 0.4);
    const waitMedian = rng.between(8, 16);
    const effect = onRoutes(
      'db-pool-exhaustion',
      start,
      end,
      affected,
      (c) =>
        mix(scaleMedians(c, 3), [
          { weight: waiting, median: waitMedian, sigma: 0.35, error: 0 },
          // Requests that waited the whole pool_timeout fail just after it.
          { weight: timedOut, median: poolTimeout + 0.05, sigma: 0, error: 1 },
        ]),
      affected
    );
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: {
        id: 'db-pool-exhaustion',
        start,
        end,
        routes: affected,
        params: {
          timedOutShare: timedOut,
          waitingShare: waiting,
          waitMedianSeconds: waitMedian,
          routes: affected.length,
        },
      },
    };
  },

  'task-runs-count-timeout': ({ rng, start, routes }) => {
    const family = need(ids(routes, 'task-count'), 'task-count', 'task-runs-count-timeout');
    const affected = family.filter((id) => id === '/task_runs/count' || rng.next() < 0.6);
    if (affected.length === 0) {
      affected.push(family[0]);
    }
    const end = start + Math.round(rng.between(30, 60)) * MIN;
    const median = rng.between(11, 20);
    return slowFamily('task-runs-count-timeout', start, end, affected, median, rng);
  },

  'runs-page-slow': ({ rng, start, routes }) => {
    const affected = need(ids(routes, 'runs-page'), 'runs-page', 'runs-page-slow');
    const end = start + Math.round(rng.between(30, 60)) * MIN;
    const median = rng.between(10.5, 18);
    return slowFamily('runs-page-slow', start, end, affected, median, rng);
  },

  'api-overload-http-500': ({ rng, start, routes }) => {
    const all = routes.map((r) => r.id);
    // 5xx on the busiest database routes (most of the traffic): enough for the total share, few extra series.
    const db = routes.filter((r) => inFamily(r.id, 'database')).sort((a, b) => b.baseRate - a.baseRate);
    const total = routes.reduce((s, r) => s + r.baseRate, 0);
    const failing: string[] = [];
    let covered = 0;
    for (const r of db) {
      if (covered >= 0.55 * total) {
        break;
      }
      failing.push(r.id);
      covered += r.baseRate;
    }
    const end = start + Math.round(rng.between(20, 40)) * MIN;
    const rateFactor = rng.between(2.5, 4);
    const errors = rng.between(0.12, 0.22);
    const slow = rng.between(1.8, 3.5);
    const dbSet = new Set(db.map((r) => r.id));
    const failSet = new Set(failing);
    const effect: Effect = {
      id: 'api-overload-http-500',
      start,
      end,
      errorRoutes: failing,
      apply: (route, _t, c) => {
        const busier = { ...c, rate: c.rate * rateFactor };
        if (!dbSet.has(route.id)) {
          return busier;
        }
        const slower = scaleMedians(busier, slow);
        // Errors come back fast (rejected); the rest is slower but far from pool_timeout.
        return failSet.has(route.id) ? mix(slower, [{ weight: errors, median: 0.03, sigma: 0.5, error: 1 }]) : slower;
      },
    };
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: {
        id: 'api-overload-http-500',
        start,
        end,
        routes: all,
        params: {
          rateFactor,
          errorShareOnFailingRoutes: errors,
          latencyFactor: slow,
          failingRoutes: failing.join(' '),
        },
      },
    };
  },

  'http2-agent-stop': ({ rng, start, routes }) => {
    const polling = need(ids(routes, 'polling'), 'polling', 'http2-agent-stop');
    const variant = rng.pick(['agent', 'worker', 'both'] as const);
    let affected = polling.filter((id) =>
      variant === 'agent'
        ? id === '/work_queues/{id}/get_runs'
        : variant === 'worker'
          ? id === '/work_pools/{name}/get_scheduled_flow_runs'
          : id !== '/deployments/get_scheduled_flow_runs'
    );
    if (affected.length === 0) {
      affected = [polling[0]];
    }
    const stop = start + Math.round(rng.between(4, 8)) * MIN;
    const end = stop + Math.round(rng.between(15, 40)) * MIN;
    const errorShare = rng.between(0.2, 0.4);
    const slowMedian = rng.between(2, 6);
    const troubled = onRoutes(
      'http2-agent-stop',
      start,
      stop,
      affected,
      (c) =>
        mix(c, [
          { weight: 1 - errorShare - 0.1, median: slowMedian, sigma: 0.5, error: 0 },
          { weight: errorShare, median: 0.2, sigma: 0.5, error: 1 },
        ]),
      affected
    );
    const stopped = onRoutes('http2-agent-stop', stop, end, affected, (c) => ({ ...c, rate: 0 }));
    return {
      end,
      effects: [troubled, stopped],
      downtimes: [],
      truth: {
        id: 'http2-agent-stop',
        start: stop,
        end,
        leadIn: start,
        routes: affected,
        params: { variant, errorShare, slowMedianSeconds: slowMedian, silentMinutes: (end - stop) / MIN },
      },
    };
  },

  'pending-deadlock': ({ rng, start, routes, apiTimeout }) => {
    const family = need(
      ids(routes, 'set-state').filter((id) => id.endsWith('{id}/set_state')),
      'set_state',
      'pending-deadlock'
    );
    const affected = family.filter((id) => id === '/flow_runs/{id}/set_state' || rng.next() < 0.5);
    if (affected.length === 0) {
      affected.push(family[0]);
    }
    const end = start + Math.round(rng.between(20, 45)) * MIN;
    const share = rng.between(0.08, 0.25);
    const median = apiTimeout * rng.between(1.1, 1.5);
    const effect = onRoutes('pending-deadlock', start, end, affected, (c) =>
      mix(c, [{ weight: share, median, sigma: 0.12, error: 0 }])
    );
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: {
        id: 'pending-deadlock',
        start,
        end,
        routes: affected,
        params: { slowShare: share, slowMedianSeconds: median },
      },
    };
  },

  'api-outage': ({ rng, start, routes }) => {
    const kind = rng.next() < 0.7 ? 'down' : 'hang';
    const end = start + Math.round(rng.between(3, 12) * 4) * 15000;
    return {
      end,
      effects: [],
      downtimes: [{ id: 'api-outage', start, end, kind }],
      truth: {
        id: 'api-outage',
        start,
        end,
        routes: routes.map((r) => r.id),
        params: { variant: kind, minutes: (end - start) / MIN },
      },
    };
  },

  'read-work-pool-hang': ({ rng, start, routes, poolTimeout }) => {
    const route = need(ids(routes, 'work-pool'), 'GET /work_pools/{name}', 'read-work-pool-hang');
    const end = start + Math.round(rng.between(20, 45)) * MIN;
    const variant = rng.pick(['pool-timeout', 'stuck'] as const);
    const share = rng.between(0.6, 0.85);
    const slow: LatencyComponent =
      variant === 'pool-timeout'
        ? { weight: share, median: poolTimeout + 0.05, sigma: 0, error: 1 }
        : { weight: share, median: poolTimeout * rng.between(1.2, 1.8), sigma: 0.15, error: 0 };
    const effect = onRoutes(
      'read-work-pool-hang',
      start,
      end,
      route,
      (c) => mix(c, [slow]),
      slow.error ? route : undefined
    );
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: { id: 'read-work-pool-hang', start, end, routes: route, params: { variant, slowShare: share } },
    };
  },

  'stale-statistics': ({ rng, start, routes }) => {
    const affected = need(ids(routes, 'read-heavy'), 'read-heavy', 'stale-statistics');
    const growth = rng.between(0.2, 0.35);
    const end = start + Math.round(rng.between(2.5, 3.5) * 24) * HOUR;
    const effect = onRoutes('stale-statistics', start, end, affected, (c, _r, t) =>
      scaleMedians(c, Math.pow(1 + growth, (t - start) / DAY))
    );
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: {
        id: 'stale-statistics',
        start,
        end,
        routes: affected,
        params: { growthPerDay: growth, days: (end - start) / DAY },
      },
    };
  },

  'decoy:one-scrape-spike': ({ rng, start, stepMs, routes }) => {
    const affected = rng.shuffle(routes.map((r) => r.id)).slice(0, Math.max(1, Math.ceil(routes.length / 2)));
    const factor = rng.between(15, 40);
    const end = start + stepMs;
    const effect = onRoutes('decoy:one-scrape-spike', start, end, affected, (c) => scaleMedians(c, factor));
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: { id: 'decoy:one-scrape-spike', start, end, routes: affected, params: { factor } },
    };
  },

  'decoy:short-restart': ({ rng, start, routes }) => {
    const end = start + Math.round(rng.between(15, 50)) * 1000;
    return {
      end,
      effects: [],
      downtimes: [{ id: 'decoy:short-restart', start, end, kind: 'down' }],
      truth: {
        id: 'decoy:short-restart',
        start,
        end,
        routes: routes.map((r) => r.id),
        params: { seconds: (end - start) / 1000 },
      },
    };
  },

  'decoy:traffic-bump': ({ rng, start, routes }) => {
    const end = start + Math.round(rng.between(30, 60)) * MIN;
    const factor = rng.between(1.25, 1.35);
    const effect: Effect = {
      id: 'decoy:traffic-bump',
      start,
      end,
      apply: (_r, _t, c) => ({ ...c, rate: c.rate * factor }),
    };
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: { id: 'decoy:traffic-bump', start, end, routes: routes.map((r) => r.id), params: { factor } },
    };
  },
};

function slowFamily(id: ScenarioId, start: number, end: number, affected: string[], median: number, rng: Rng): Placed {
  const share = rng.between(0.85, 0.95);
  const effect = onRoutes(id, start, end, affected, (c) => mix(c, [{ weight: share, median, sigma: 0.3, error: 0 }]));
  return {
    end,
    effects: [effect],
    downtimes: [],
    truth: { id, start, end, routes: affected, params: { slowMedianSeconds: median, slowShare: share } },
  };
}

export const SCENARIO_IDS: readonly ScenarioId[] = Object.keys(BUILDERS) as ScenarioId[];

/** The instance label of replica k of n (n = 1: the single server's own). */
export function replicaInstance(k: number, n: number): string {
  return n <= 1 ? PREFECT_SERVICE.instance : `prefect-server-${k}:4200`;
}

function oneReplica(kind: Downtime['kind'], truthId: string): Builder {
  return ({ rng, start, routes, replicas }) => {
    if (replicas < 2) {
      throw new Error(`scenario ${truthId} needs at least two replicas`);
    }
    const replica = rng.int(0, replicas - 1);
    const decoy = truthId.startsWith('decoy:');
    // Long enough to matter (the contract's 2 minutes, with room), or a restart under a minute for the decoy.
    const end = decoy
      ? start + Math.round(rng.between(15, 45)) * 1000
      : start + Math.round(rng.between(4, 10) * 4) * 15000;
    return {
      end,
      effects: [],
      downtimes: [{ id: truthId, start, end, kind, replica }],
      truth: {
        id: truthId,
        start,
        end,
        routes: routes.map((r) => r.id),
        params: { scope: 'replica', replica, instance: replicaInstance(replica, replicas), variant: kind, replicas },
      },
    };
  };
}

const REPLICA_BUILDERS: Record<ReplicaScenarioId, Builder> = {
  'replica-down': oneReplica('down', 'api-outage'),
  'replica-hang': oneReplica('hang', 'api-outage'),
  'decoy:replica-restart': oneReplica('down', 'decoy:replica-restart'),
};

export const REPLICA_SCENARIO_IDS = Object.keys(REPLICA_BUILDERS) as ReplicaScenarioId[];

/** The fastest route of the timeline (a few milliseconds): where an absolute slack would hide a large rise. */
function fastest(routes: RouteDef[]): RouteDef {
  return routes.reduce((a, b) => (b.medianSeconds < a.medianSeconds ? b : a));
}

/**
 * More traffic (×factor on every route) with `errors` of the database routes' requests failing fast with 5xx and
 * their latency ×1.5: api-overload-http-500's signature, or a near miss of it.
 */
function overload(
  id: string,
  rng: Rng,
  start: number,
  routes: RouteDef[],
  draw: () => [factor: number, errors: number]
): Placed {
  const end = start + Math.round(rng.between(20, 40)) * MIN;
  const [factor, errors] = draw();
  const db = ids(routes, 'database');
  const dbSet = new Set(db);
  const effect: Effect = {
    id,
    start,
    end,
    errorRoutes: db,
    apply: (route, _t, c) => {
      const busier = { ...c, rate: c.rate * factor };
      return dbSet.has(route.id)
        ? mix(scaleMedians(busier, 1.5), [{ weight: errors, median: 0.03, sigma: 0.5, error: 1 }])
        : busier;
    },
  };
  return {
    end,
    effects: [effect],
    downtimes: [],
    truth: { id, start, end, routes: routes.map((r) => r.id), params: { factor, errors } },
  };
}

/** A pool-exhaustion-like pile-up on every database route for `seconds`. */
function slowBurst(id: string, seconds: number, { rng, start, routes, poolTimeout }: ScenarioContext): Placed {
  const db = ids(routes, 'database');
  const end = start + seconds * 1000;
  const waitMedian = rng.between(8, 16);
  const effect = onRoutes(
    id,
    start,
    end,
    db,
    (c) =>
      mix(scaleMedians(c, 3), [
        { weight: 0.35, median: waitMedian, sigma: 0.35, error: 0 },
        { weight: 0.2, median: poolTimeout + 0.05, sigma: 0, error: 1 },
      ]),
    db
  );
  return {
    end,
    effects: [effect],
    downtimes: [],
    truth: { id, start, end, routes: db, params: { seconds, waitMedian } },
  };
}

const NEAR_MISS_BUILDERS: Record<NearMissId, Builder> = {
  // api-overload-http-500 needs both ≥ 2× the traffic and ≥ 5 % 5xx: just under both, latency raised.
  'decoy:near-overload': ({ rng, start, routes }) =>
    overload('decoy:near-overload', rng, start, routes, () => [rng.between(1.85, 1.95), rng.between(0.035, 0.045)]),

  // Its twin just over both thresholds (×2.2 the traffic, 6 % 5xx): must be found. Not closer: the 6-hour median
  // the rate is judged against moves with the daily cycle by a few per cent.
  'over:overload': ({ rng, start, routes }) => overload('api-overload-http-500', rng, start, routes, () => [2.2, 0.06]),

  // One database route at 4× its baseline for up to an hour: not broad (pool exhaustion wants half the routes at
  // 5×), not a family's threshold.
  'decoy:one-route-4x': ({ rng, start, routes }) => {
    const route = rng.pick(ids(routes, 'database'));
    const end = start + Math.round(rng.between(30, 60)) * MIN;
    const effect = onRoutes('decoy:one-route-4x', start, end, [route], (c) => scaleMedians(c, 4));
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: { id: 'decoy:one-route-4x', start, end, routes: [route], params: { factor: 4 } },
    };
  },

  // The fastest route 0.9 s above its few milliseconds: far from baseline (the old 1 s slack called it near), yet
  // alone it is no insight.
  'decoy:route-plus-900ms': ({ rng, start, routes }) => {
    const route = fastest(routes);
    const end = start + Math.round(rng.between(20, 40)) * MIN;
    const effect = onRoutes('decoy:route-plus-900ms', start, end, [route.id], (c) =>
      mix(c, [{ weight: 0.9, median: route.medianSeconds + 0.9, sigma: 0.05, error: 0 }])
    );
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: { id: 'decoy:route-plus-900ms', start, end, routes: [route.id], params: { addedSeconds: 0.9 } },
    };
  },

  // A pool-exhaustion-like pile-up that lasts 90 s: under the contract's 2 minutes of persistence.
  'decoy:slow-burst-90s': (ctx) => slowBurst('decoy:slow-burst-90s', 90, ctx),

  // Its twin: the same pile-up for 150 s, which the contract's 2 minutes of persistence (plus the rate window's
  // tail, docs/detection.md) must report as a db-pool-exhaustion.
  'over:slow-burst-150s': (ctx) => slowBurst('db-pool-exhaustion', 150, ctx),

  // A pushed restart of 150 s (no `up`): over the contract's 2 minutes, so an api-outage, where the decoy's restart
  // under a minute is not. Run it with instancePerProcess, beside 'decoy:short-restart'.
  'over:restart-150s': ({ start, routes }) => {
    const end = start + 150_000;
    return {
      end,
      effects: [],
      downtimes: [{ id: 'api-outage', start, end, kind: 'down' }],
      truth: {
        id: 'api-outage',
        start,
        end,
        routes: routes.map((r) => r.id),
        params: { variant: 'down', seconds: 150 },
      },
    };
  },

  // A task-run count timeout as a live Prefect answers it: nearly every count waits out the statement timeout and
  // fails with 500 just after it (seen: every count a 500 at 15 s). On Prefect's bounds 10 and 30 s a 10 s cut-off
  // reads p99 ≈ 29.8 s; with OpenTelemetry's buckets ending at 10 s only the mean shows it.
  'count-cut-at-timeout': ({ rng, start, routes, statementTimeout }) => {
    const family = need(ids(routes, 'task-count'), 'task-count', 'count-cut-at-timeout');
    const end = start + Math.round(rng.between(20, 40)) * MIN;
    const share = rng.between(0.9, 0.97);
    const effect = onRoutes(
      'task-runs-count-timeout',
      start,
      end,
      family,
      (c) => mix(c, [{ weight: share, median: statementTimeout + 0.05, sigma: 0, error: 1 }]),
      family
    );
    return {
      end,
      effects: [effect],
      downtimes: [],
      truth: {
        id: 'task-runs-count-timeout',
        start,
        end,
        routes: family,
        params: { variant: 'cut-at-statement-timeout', statementTimeout, share },
      },
    };
  },

  // Traffic tapers off (users go home), the server idles for longer than half the baseline's 6 hours (so the 6-hour
  // median rate is 0), serves a few minutes of morning traffic, and dies. The fade and the idle are a decoy of
  // their own ('decoy:fade-and-idle' in the truth): a server going idle is not down.
  'outage-after-idle': ({ rng, start, routes }) => {
    const fadeEnd = start + Math.round(rng.between(20, 40)) * MIN;
    const idleEnd = fadeEnd + Math.round(rng.between(4, 5.5) * 60) * MIN;
    const death = idleEnd + Math.round(rng.between(5, 15) * 4) * 15_000;
    const end = death + Math.round(rng.between(2.5, 6) * 4) * 15_000;
    const fade: Effect = {
      id: 'decoy:fade-and-idle',
      start,
      end: fadeEnd,
      apply: (_r, t, c) => ({ ...c, rate: c.rate * Math.max(0, (fadeEnd - t) / (fadeEnd - start)) }),
    };
    const idle: Effect = {
      id: 'decoy:fade-and-idle',
      start: fadeEnd,
      end: idleEnd,
      apply: (_r, _t, c) => ({ ...c, rate: 0 }),
    };
    return {
      end,
      effects: [fade, idle],
      downtimes: [{ id: 'api-outage', start: death, end, kind: 'down' }],
      truth: {
        id: 'api-outage',
        start: death,
        end,
        routes: routes.map((r) => r.id),
        params: {
          variant: 'after-idle',
          idleHours: (idleEnd - fadeEnd) / HOUR,
          trafficMinutes: (death - idleEnd) / MIN,
          minutes: (end - death) / MIN,
          fadeStart: start,
          idleEnd,
        },
      },
    };
  },
};

export const NEAR_MISS_IDS = Object.keys(NEAR_MISS_BUILDERS) as NearMissId[];

export const OTHER_SERVICE = Object.freeze({
  job: 'billing-api',
  instance: 'billing-api:8000',
  serviceName: 'billing-api',
});

function defaultStart(days: number): number {
  const now = Date.now();
  return Math.floor(now / DAY) * DAY - (Math.ceil(days) + 1) * DAY;
}

/** Lays scenarios out on one timeline after `leadHours` of normal traffic, with quiet gaps between them. */
export function buildTimeline(opts: TimelineOptions): Timeline {
  const convention = opts.convention ?? 'prefect';
  const conv = getConvention(convention);
  const days = opts.days ?? 1;
  const scrapeIntervalSeconds = opts.scrapeIntervalSeconds ?? 15;
  const stepMs = scrapeIntervalSeconds * 1000;
  const start = Math.floor((opts.start ?? defaultStart(days)) / stepMs) * stepMs;
  const end = start + Math.round(days * DAY);
  const routes = opts.routeCount !== undefined ? fleetRoutes(opts.routeCount) : selectRoutes(opts.routes);
  const rng = createRng(opts.seed);
  const explicit = opts.include !== undefined;
  const order: ScenarioId[] = explicit
    ? opts.include!.slice()
    : [...(days >= 4 ? (['stale-statistics'] as ScenarioId[]) : []), ...DEFAULT_ORDER];
  const gap = (opts.gapMinutes ?? 45) * MIN;
  const replicas = Math.max(1, Math.floor(opts.replicas ?? 1));

  const effects: Effect[] = [];
  const downtimes: Downtime[] = [];
  const truth: TruthEntry[] = [];
  const included: ScenarioId[] = [];
  let cursor = start + (opts.leadHours ?? 6) * HOUR;
  for (const id of order) {
    const builder =
      (BUILDERS as Record<string, Builder>)[id] ??
      (REPLICA_BUILDERS as Record<string, Builder>)[id] ??
      (NEAR_MISS_BUILDERS as Record<string, Builder>)[id];
    if (!builder) {
      throw new Error(`unknown scenario ${id}; one of ${SCENARIO_IDS.join(', ')}`);
    }
    // Align to the scrape grid so a one-scrape decoy covers exactly one scrape interval.
    const at = Math.ceil(cursor / stepMs) * stepMs;
    const placed = builder({
      rng,
      start: at,
      stepMs,
      routes,
      poolTimeout: opts.poolTimeoutSeconds ?? 30,
      apiTimeout: opts.apiRequestTimeoutSeconds ?? 60,
      statementTimeout: opts.statementTimeoutSeconds ?? 10,
      replicas,
    });
    if (placed.end > end - 30 * MIN) {
      if (explicit) {
        throw new Error(
          `timeline too short: ${id} would end ${((placed.end - start) / HOUR).toFixed(1)} h after the start; ` +
            `use more days, fewer scenarios or a shorter leadHours/gapMinutes`
        );
      }
      break;
    }
    effects.push(...placed.effects);
    downtimes.push(...placed.downtimes);
    truth.push(placed.truth);
    if (id === 'outage-after-idle') {
      // The fade to idle and the idle hours before the death must raise nothing.
      truth.push({
        id: 'decoy:fade-and-idle',
        start: Number(placed.truth.params.fadeStart),
        end: Number(placed.truth.params.idleEnd),
        routes: placed.truth.routes,
        params: { idleHours: placed.truth.params.idleHours },
      });
    }
    included.push(id);
    const quiet = id === 'stale-statistics' ? 6 * HOUR : gap + rng.between(0, 15) * MIN;
    cursor = placed.end + quiet;
  }

  // Every replica sees the same incidents (they share one database); downtimes hit one replica or all of them.
  const models = Array.from(
    { length: replicas },
    (_, k) =>
      new TrafficModel({
        seed: opts.seed,
        routes,
        start,
        effects,
        downtimes: downtimes.filter((d) => d.replica === undefined || d.replica === k),
        replica: k,
        service: replicas > 1 ? { ...PREFECT_SERVICE, instance: replicaInstance(k, replicas) } : PREFECT_SERVICE,
        instancePerProcess: opts.instancePerProcess,
      })
  );
  const model = models[0];
  if (opts.otherService) {
    if (!conv.serviceNameLabel && convention !== 'fastapi-instrumentator') {
      throw new Error(`otherService needs a generic metric name; ${convention} is Prefect's own`);
    }
    const otherRoutes = selectRoutes(COMPACT_ROUTE_IDS.filter((id) => routes.some((r) => r.id === id)));
    // Its own incident sits in Prefect's lead time: a wrong selector shows up as a false Prefect insight.
    const oStart = Math.ceil((start + Math.min(3 * HOUR, (opts.leadHours ?? 6) * HOUR * 0.5)) / stepMs) * stepMs;
    const oEnd = oStart + 40 * MIN;
    const surge = onRoutes(
      'decoy:other-service',
      oStart,
      oEnd,
      otherRoutes.map((r) => r.id),
      (c) => mix(scaleMedians(c, 20), [{ weight: 0.2, median: 30.05, sigma: 0, error: 1 }]),
      otherRoutes.map((r) => r.id)
    );
    models.push(
      new TrafficModel({
        seed: opts.seed + 7919,
        routes: otherRoutes,
        start,
        service: OTHER_SERVICE,
        latencyScale: 5,
        rateScale: 1.5,
        effects: [surge],
      })
    );
    truth.push({
      id: 'decoy:other-service',
      start: oStart,
      end: oEnd,
      routes: otherRoutes.map((r) => r.id),
      params: { service: OTHER_SERVICE.serviceName },
    });
  }

  return {
    seed: opts.seed,
    convention,
    models,
    model,
    start,
    end,
    scrapeIntervalSeconds,
    apiPrefix: opts.apiPrefix ?? true,
    truth,
    included,
  };
}

/** Alias kept for the cross-helper API name. */
export const simulate = buildTimeline;
