import { DETECTABLE_INSIGHT_IDS, getInsight } from '../../catalog/catalog';
import { SEVERITY_RANK } from '../../catalog/types';
import { statusRows } from './statusRows';

it('lists every detectable insight: firing, then seen, then clear, most severe first within each', () => {
  const rows = statusRows([
    { id: 'stale-statistics', status: 'seen', episodes: 1 },
    { id: 'db-pool-exhaustion', status: 'firing', episodes: 2, lastSeen: 5 },
    { id: 'http2-agent-stop', status: 'firing', episodes: 1 },
  ]);
  expect(rows).toHaveLength(DETECTABLE_INSIGHT_IDS.length);
  expect(rows.slice(0, 3).map((r) => r.id)).toEqual(
    ['db-pool-exhaustion', 'http2-agent-stop']
      .sort((a, b) => SEVERITY_RANK[getInsight(b as never).severity] - SEVERITY_RANK[getInsight(a as never).severity])
      .concat('stale-statistics')
  );
  const rank = { firing: 0, seen: 1, 'no data': 2, clear: 3 };
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    expect(
      rank[a.status] < rank[b.status] ||
        (rank[a.status] === rank[b.status] && SEVERITY_RANK[a.severity] >= SEVERITY_RANK[b.severity])
    ).toBe(true);
  }
});

it('counts an insight with episodes but a clear status as seen', () => {
  const [row] = statusRows([{ id: 'api-outage', status: 'clear', episodes: 1 }]);
  expect(row).toMatchObject({ id: 'api-outage', status: 'seen', episodes: 1 });
});
