// The Prefect API routes the simulator serves, with their typical traffic. Templates are FastAPI's, without the
// `/api` prefix (conventions add it when asked). Numbers are plausible for a small busy server, not measured.

export type HttpMethod = 'GET' | 'POST';

export type RouteFamily =
  'database' | 'polling' | 'read-heavy' | 'task-count' | 'runs-page' | 'set-state' | 'work-pool';

export interface RouteDef {
  /** FastAPI template without `/api`, e.g. `/flow_runs/{id}/set_state`. */
  id: string;
  method: HttpMethod;
  /** Status code of a successful answer. */
  okStatus: string;
  /** Mean requests per second at the daily average load. */
  baseRate: number;
  /** Median latency in seconds at average load. */
  medianSeconds: number;
  /** Log-normal shape (sigma of ln latency). */
  sigma: number;
}

export const PREFECT_ROUTES: readonly RouteDef[] = Object.freeze([
  { id: '/health', method: 'GET', okStatus: '200', baseRate: 0.1, medianSeconds: 0.002, sigma: 0.4 },
  { id: '/task_runs/count', method: 'POST', okStatus: '200', baseRate: 0.3, medianSeconds: 0.04, sigma: 0.6 },
  {
    id: '/ui/task_runs/dashboard/counts',
    method: 'POST',
    okStatus: '200',
    baseRate: 0.1,
    medianSeconds: 0.08,
    sigma: 0.6,
  },
  { id: '/ui/task_runs/count', method: 'POST', okStatus: '200', baseRate: 0.1, medianSeconds: 0.05, sigma: 0.6 },
  { id: '/flow_runs/filter', method: 'POST', okStatus: '200', baseRate: 0.8, medianSeconds: 0.06, sigma: 0.6 },
  { id: '/flow_runs/paginate', method: 'POST', okStatus: '200', baseRate: 0.2, medianSeconds: 0.09, sigma: 0.6 },
  { id: '/flow_runs/count', method: 'POST', okStatus: '200', baseRate: 0.3, medianSeconds: 0.03, sigma: 0.5 },
  { id: '/flow_runs/{id}/set_state', method: 'POST', okStatus: '201', baseRate: 1.0, medianSeconds: 0.045, sigma: 0.5 },
  { id: '/task_runs/{id}/set_state', method: 'POST', okStatus: '201', baseRate: 3.0, medianSeconds: 0.025, sigma: 0.5 },
  { id: '/flow_runs/bulk_set_state', method: 'POST', okStatus: '200', baseRate: 0.05, medianSeconds: 0.12, sigma: 0.5 },
  { id: '/flow_runs/{id}', method: 'GET', okStatus: '200', baseRate: 1.5, medianSeconds: 0.012, sigma: 0.5 },
  { id: '/work_pools/{name}', method: 'GET', okStatus: '200', baseRate: 0.2, medianSeconds: 0.01, sigma: 0.5 },
  {
    id: '/work_pools/{name}/get_scheduled_flow_runs',
    method: 'POST',
    okStatus: '200',
    baseRate: 0.5,
    medianSeconds: 0.035,
    sigma: 0.5,
  },
  { id: '/work_queues/{id}/get_runs', method: 'POST', okStatus: '200', baseRate: 0.5, medianSeconds: 0.03, sigma: 0.5 },
  {
    id: '/deployments/get_scheduled_flow_runs',
    method: 'POST',
    okStatus: '200',
    baseRate: 0.2,
    medianSeconds: 0.04,
    sigma: 0.5,
  },
  {
    id: '/work_pools/{work_pool_name}/workers/heartbeat',
    method: 'POST',
    okStatus: '204',
    baseRate: 0.5,
    medianSeconds: 0.015,
    sigma: 0.4,
  },
]);

/** Ten routes that still cover every route family: for multi-day timelines where series count matters. */
export const COMPACT_ROUTE_IDS: readonly string[] = Object.freeze([
  '/health',
  '/task_runs/count',
  '/flow_runs/filter',
  '/flow_runs/paginate',
  '/flow_runs/count',
  '/flow_runs/{id}/set_state',
  '/flow_runs/{id}',
  '/work_pools/{name}',
  '/work_pools/{name}/get_scheduled_flow_runs',
  '/work_queues/{id}/get_runs',
]);

const NOT_DATABASE = new Set(['/health', '/ready', '/version', '/hello']);
const TASK_COUNT = new Set(['/task_runs/count', '/ui/task_runs/count', '/ui/task_runs/dashboard/counts']);
const RUNS_PAGE = new Set(['/flow_runs/filter', '/flow_runs/paginate']);

/** Route families as the spec defines them (insight-signatures.md, "Route families"). */
export function routeFamilies(id: string): RouteFamily[] {
  const out: RouteFamily[] = [];
  if (!NOT_DATABASE.has(id)) {
    out.push('database');
  }
  if (id.endsWith('/get_runs') || id.endsWith('/get_scheduled_flow_runs')) {
    out.push('polling');
  }
  if (/\/(filter|paginate|count|counts)$/.test(id)) {
    out.push('read-heavy');
  }
  if (TASK_COUNT.has(id)) {
    out.push('task-count');
  }
  if (RUNS_PAGE.has(id)) {
    out.push('runs-page');
  }
  if (id.endsWith('/set_state')) {
    out.push('set-state');
  }
  if (id === '/work_pools/{name}') {
    out.push('work-pool');
  }
  return out;
}

export function inFamily(id: string, family: RouteFamily): boolean {
  return routeFamilies(id).includes(family);
}

/** Selects route definitions by id, keeping the catalogue order; throws on an unknown id. */
export function selectRoutes(ids?: readonly string[]): RouteDef[] {
  if (!ids) {
    return PREFECT_ROUTES.slice();
  }
  const known = new Map(PREFECT_ROUTES.map((r) => [r.id, r]));
  for (const id of ids) {
    if (!known.has(id)) {
      throw new Error(`unknown simulator route ${id}`);
    }
  }
  return PREFECT_ROUTES.filter((r) => ids.includes(r.id));
}

/**
 * `count` routes for fleet-size benchmarks: Prefect's own first, then copies under `/fleet<k>` (same method,
 * traffic and latency; suffix families such as `/filter` kept), as a large installation's many deployments and
 * extra mounted apps would add.
 */
export function fleetRoutes(count: number): RouteDef[] {
  const out: RouteDef[] = [];
  // The compact set first, so even 10 routes carry every family a scenario needs.
  const order = [
    ...PREFECT_ROUTES.filter((r) => COMPACT_ROUTE_IDS.includes(r.id)),
    ...PREFECT_ROUTES.filter((r) => !COMPACT_ROUTE_IDS.includes(r.id)),
  ];
  for (let k = 0; out.length < count; k++) {
    for (const r of order) {
      if (out.length >= count) {
        break;
      }
      out.push(k === 0 ? r : { ...r, id: `/fleet${k}${r.id}` });
    }
  }
  return out;
}
