// Route families of the detection contract. Routes arrive normalised, but the /api prefix, an HTTP method in
// front, a trailing slash and the name of a template variable all vary between instrumentations.

/** `/api/flow_runs/{id}/set_state`, `POST /flow_runs/{id}/set_state/` → `flow_runs/{id}/set_state`. */
export function canonicalRoute(route: string): string {
  let r = route.trim();
  const space = r.indexOf(' ');
  if (space > 0 && /^[A-Za-z]+$/.test(r.slice(0, space))) {
    r = r.slice(space + 1).trim();
  }
  r = r.replace(/^\/+/, '').replace(/\/+$/, '');
  if (r === 'api' || r.startsWith('api/')) {
    r = r.slice(3).replace(/^\/+/, '');
  }
  return r.replace(/\{[^}]*\}/g, '{id}');
}

const NOT_DATABASE = new Set(['health', 'ready', 'version', 'hello', 'metrics', '']);

export function isDatabaseBacked(route: string): boolean {
  return !NOT_DATABASE.has(canonicalRoute(route));
}

/** Worker and agent polling; a worker heartbeat is deliberately not polling. */
export function isPolling(route: string): boolean {
  const r = canonicalRoute(route);
  return r.endsWith('/get_runs') || r.endsWith('/get_scheduled_flow_runs');
}

export function isReadHeavy(route: string): boolean {
  return /\/(filter|paginate|count|counts)$/.test(canonicalRoute(route));
}

const TASK_COUNT = new Set(['task_runs/count', 'ui/task_runs/count', 'ui/task_runs/dashboard/counts']);

export function isTaskCount(route: string): boolean {
  return TASK_COUNT.has(canonicalRoute(route));
}

export function isRunsPage(route: string): boolean {
  const r = canonicalRoute(route);
  return r === 'flow_runs/filter' || r === 'flow_runs/paginate';
}

export function isSetState(route: string): boolean {
  const r = canonicalRoute(route);
  return /^(flow_runs|task_runs)\/\{id\}\/set_state$/.test(r) || /(^|\/)bulk_set_state$/.test(r);
}

// Raw paths keep a pool's name (only UUIDs and numbers become {id}), so a single segment after work_pools/ is a
// pool name unless it is one of the collection's own actions.
const WORK_POOL_ACTIONS = new Set(['filter', 'paginate', 'count', 'counts', 'schema']);

/** `GET work_pools/{name}`: the route only, whatever its variable is called. */
export function isReadWorkPool(route: string): boolean {
  const trimmed = route.trim();
  const method = /^([A-Za-z]+)\s/.exec(trimmed);
  if (method && method[1].toUpperCase() !== 'GET') {
    return false;
  }
  const m = /^work_pools\/([^/]+)$/.exec(canonicalRoute(route));
  return m !== null && !WORK_POOL_ACTIONS.has(m[1]) && !m[1].startsWith('bulk_');
}
