/** @jest-environment node */
import fc from 'fast-check';

import { normalizeRoute } from './routes';

describe('normalizeRoute', () => {
  it.each([
    ['/api/flow_runs/{id}/set_state', '/flow_runs/{id}/set_state'],
    ['/flow_runs/{id}/set_state', '/flow_runs/{id}/set_state'],
    ['/api/flow_runs/5f8a2c1e-9b7d-4e21-a3c4-0123456789ab/set_state', '/flow_runs/{id}/set_state'],
    ['/api/flow_runs/5F8A2C1E-9B7D-4E21-A3C4-0123456789AB', '/flow_runs/{id}'],
    ['/api/task_runs/count?x=1', '/task_runs/count'],
    ['/api/work_pools/{work_pool_name}/workers/heartbeat', '/work_pools/{work_pool_name}/workers/heartbeat'],
    ['/api/work_pools/default-pool', '/work_pools/{name}'],
    ['/api/work_pools/my-pool/get_scheduled_flow_runs', '/work_pools/{name}/get_scheduled_flow_runs'],
    ['/api/work_pools/filter', '/work_pools/filter'],
    ['/api/logs/42', '/logs/{id}'],
    ['/api/health', '/health'],
    // The mounted API app's `http.route` (new conventions) keeps Starlette's convertors.
    ['/flow_runs/{id:uuid}', '/flow_runs/{id}'],
    ['/flow_runs/{id:uuid}/set_state', '/flow_runs/{id}/set_state'],
    ['/work_pools/{work_pool_name:str}/workers/heartbeat', '/work_pools/{work_pool_name}/workers/heartbeat'],
    ['/apis/x', '/apis/x'],
    ['/api', '/'],
    ['', '/'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeRoute(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    const segment = fc.oneof(
      fc.constantFrom('api', 'flow_runs', '{id}', '{name}', 'work_pools', 'filter', '123', '', '?a=1', '#x'),
      fc.uuid(),
      fc.string({ maxLength: 8 })
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), fc.boolean(), (segs, lead) => {
        const raw = (lead ? '/' : '') + segs.join('/');
        const once = normalizeRoute(raw);
        expect(normalizeRoute(once)).toBe(once);
        expect(once.startsWith('/')).toBe(true);
        expect(once.startsWith('/api/') || once === '/api').toBe(false);
      }),
      { numRuns: 2000 }
    );
  });
});
