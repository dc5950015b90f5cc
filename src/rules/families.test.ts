// The rule regexes must pick exactly the routes the detectors' predicates pick. RE2 and JavaScript agree on the
// syntax used here (no lookaround, no inline flags); Prometheus anchors regexes at both ends, hence ^(?:…)$.
import {
  isDatabaseBacked,
  isPolling,
  isReadHeavy,
  isReadWorkPool,
  isRunsPage,
  isSetState,
  isTaskCount,
} from '../insights/toolkit/families';
import { PREFECT_ROUTES } from '../../tools/simulator/routes';
import {
  NOT_DATABASE_REGEX,
  POLLING_REGEX,
  READ_HEAVY_REGEX,
  READ_WORK_POOL_REGEX,
  RUNS_PAGE_REGEX,
  SET_STATE_REGEX,
  TASK_COUNT_REGEX,
  WORK_POOL_ACTION_REGEX,
} from './families';

const matches = (regex: string, value: string) => new RegExp(`^(?:${regex})$`).test(value);

const EXTRA = [
  '/',
  '/api',
  'api',
  '',
  '/metrics',
  '/hello',
  '/version',
  '/ready',
  '/work_pools/filter',
  '/work_pools/count',
  '/work_pools/schema',
  '/work_pools/bulk_delete',
  '/work_pools/{name}/workers/heartbeat',
  '/work_queues/{id}/get_runs',
  '/deployments/paginate',
  '/ui/flow_runs/count',
  '/flow_runs/{id:uuid}/set_state',
  '/task_runs/{task_run_id}/set_state',
  '/deployments/{id}/flow_runs/filter',
  '/flow_runs/{id}/set_state/extra',
  '/apiary/flow_runs/filter',
  '/flow_runs/filterx',
];

const VARIANTS = (r: string): string[] => {
  const bare = r.replace(/^\/+/, '');
  return [r, `/api/${bare}`, `/api/${bare}/`, bare, `GET /api/${bare}`, `POST ${r}`, `/api/api/${bare}`];
};

// `POST ` alone (the method of an empty route) is not a route anyone emits.
const ROUTES = [...PREFECT_ROUTES.map((r) => r.id), ...EXTRA].flatMap(VARIANTS).filter((r) => !/^[A-Z]+ $/.test(r));

describe.each([
  ['task-count', TASK_COUNT_REGEX, isTaskCount],
  ['runs-page', RUNS_PAGE_REGEX, isRunsPage],
  ['set_state', SET_STATE_REGEX, isSetState],
  ['polling', POLLING_REGEX, isPolling],
  ['read-heavy', READ_HEAVY_REGEX, isReadHeavy],
])('%s regex', (_name, regex, predicate) => {
  it.each(ROUTES)('agrees with the detector on %j', (route) => {
    expect(matches(regex, route)).toBe(predicate(route));
  });
});

describe('database-backed', () => {
  it.each(ROUTES)('agrees with the detector on %j', (route) => {
    expect(!matches(NOT_DATABASE_REGEX, route)).toBe(isDatabaseBacked(route));
  });
});

describe('GET work_pools/{name}', () => {
  it.each(ROUTES)('agrees with the detector on %j', (route) => {
    const picked = matches(READ_WORK_POOL_REGEX, route) && !matches(WORK_POOL_ACTION_REGEX, route);
    expect(picked).toBe(isReadWorkPool(route));
  });
});
