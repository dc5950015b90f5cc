import { episodesTableFrame } from '../../datasource/frames';
import type { Episode } from '../../insights/types';
import { detectedInsights, readEpisodes, readStatuses, type FrameLike } from './readInsightFrames';

const frame = (columns: Record<string, unknown[]>, refId?: string): FrameLike => ({
  refId,
  fields: Object.entries(columns).map(([name, values]) => ({ name, values })),
});

const episodes = frame({
  id: ['db-pool-exhaustion', 'db-pool-exhaustion', 'api-outage'],
  severity: ['critical', 'critical', 'warning'],
  title: ['Pool', 'Pool', 'Outage'],
  start: [3000, 1000, 2000],
  end: [4000, 1500, 2500],
  routes: [['/flow_runs/filter', '/task_runs/count'], ['/a,b'], []],
  evidence: [{ summary: 'p95 41 s on 9 of 11 routes' }, '{"summary":"p99 at 30 s"}', 'plain words'],
  figures: [{ inFlightPeak: 468, poolCapacity: 15, label: 'dropped' }, undefined, null],
});

const statuses = frame({
  id: ['db-pool-exhaustion', 'api-outage', 'stale-statistics'],
  title: ['Pool', 'Outage', 'Stats'],
  severity: ['critical', 'warning', 'warning'],
  status: ['firing', 'seen', 'clear'],
  lastSeen: [4000, 2500, null],
});

describe('readEpisodes', () => {
  it('reads episode rows sorted by start, with routes and evidence summary', () => {
    const rows = readEpisodes([statuses, episodes]);
    expect(rows.map((r) => r.start)).toEqual([1000, 2000, 3000]);
    // a comma inside a route stays inside it
    expect(rows[0].routes).toEqual(['/a,b']);
    expect(rows[0].summary).toBe('p99 at 30 s');
    expect(rows[1].summary).toBe('plain words');
    expect(rows[2].routes).toEqual(['/flow_runs/filter', '/task_runs/count']);
    expect(rows[2].summary).toBe('p95 41 s on 9 of 11 routes');
    expect(rows[2].figures).toEqual({ inFlightPeak: 468, poolCapacity: 15 });
    expect(rows[0].figures).toEqual({});
  });

  it('reads what the data source writes: routes as the same list, figures as numbers', () => {
    const written: Episode = {
      id: 'db-pool-exhaustion',
      severity: 'critical',
      title: 'Pool',
      start: 1000,
      end: 5000,
      routes: ['/a,b', '/c'],
      evidence: { summary: 'p95 41.2 s on 9 of 11 routes', poolCapacity: 15, p99AtCutOff: false, thresholdName: 'x' },
    };
    const [row] = readEpisodes([episodesTableFrame([written], 'I')]);
    expect(row.routes).toEqual(['/a,b', '/c']);
    expect(row.figures).toEqual({ poolCapacity: 15, p99AtCutOff: false });
    expect(row.summary).toBe('p95 41.2 s on 9 of 11 routes');
  });

  it('ignores frames that are not episode tables', () => {
    expect(readEpisodes([statuses, frame({ time: [1], value: [2] })])).toEqual([]);
  });
});

describe('readStatuses', () => {
  it('reads statuses and drops a missing lastSeen', () => {
    const rows = readStatuses([episodes, statuses]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ id: 'db-pool-exhaustion', status: 'firing', lastSeen: 4000 });
    expect(rows[2].lastSeen).toBeUndefined();
  });

  it('treats an unknown status as clear rather than inventing evidence', () => {
    const rows = readStatuses([frame({ id: ['api-outage'], status: ['weird'] })]);
    expect(rows[0].status).toBe('clear');
  });
});

describe('detectedInsights', () => {
  it('joins statuses with episode counts', () => {
    const detected = detectedInsights(readStatuses([statuses]), readEpisodes([episodes]));
    const pool = detected.find((d) => d.id === 'db-pool-exhaustion');
    const stats = detected.find((d) => d.id === 'stale-statistics');
    expect(pool).toMatchObject({ status: 'firing', episodes: 2 });
    expect(stats).toMatchObject({ status: 'clear', episodes: 0 });
  });

  it('counts episodes as seen when no status frame came back', () => {
    const detected = detectedInsights([], readEpisodes([episodes]));
    expect(detected).toContainEqual({ id: 'api-outage', status: 'seen', episodes: 1 });
  });
});
