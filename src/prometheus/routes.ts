// Route labels come as FastAPI templates (`/api/flow_runs/{id}/set_state`) or, from older OpenTelemetry
// conventions, as raw paths in `http_target`. Everything downstream compares one normal form: no `/api` prefix,
// no query string, ids as `{id}`, no Starlette convertors (the mounted API app reports `http.route` as the route's
// path, `/flow_runs/{id:uuid}`, where the older `http.target` carries `/api/flow_runs/{id}`; seen on Prefect 3.9.1).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
// `{id:uuid}` -> `{id}`
const CONVERTOR = /^\{([^}:]+):[^}]*\}$/;
// `GET /work_pools/{name}` is the route of an insight; a raw path carries the pool's name, not an id.
const WORK_POOL_VERBS = new Set(['filter', 'count', 'paginate']);

export function normalizeRoute(raw: string): string {
  const cut = raw.search(/[?#]/);
  const path = cut >= 0 ? raw.slice(0, cut) : raw;
  const segments = path
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  // Repeated so that the result is a fixed point (`/api/api/x` would otherwise change on a second pass).
  while (segments[0] === 'api') {
    segments.shift();
  }
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i].replace(CONVERTOR, '{$1}');
    segments[i] = s;
    if (UUID.test(s) || NUMBER.test(s)) {
      segments[i] = '{id}';
    } else if (i === 1 && segments[0] === 'work_pools' && !WORK_POOL_VERBS.has(s) && !s.startsWith('{')) {
      segments[i] = '{name}';
    }
  }
  return '/' + segments.join('/');
}
