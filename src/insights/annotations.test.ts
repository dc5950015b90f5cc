/** @jest-environment node */
import { DETECTABLE_INSIGHT_IDS, getInsight } from '../catalog/catalog';
import { episodesToAnnotations, insightStatuses } from './annotations';
import type { Episode } from './types';
import type { DetectableInsightId } from '../catalog/types';

const ADVICE = '/a/prefectinsights-api-app/advice';
const MIN = 60_000;

function episode(
  id: DetectableInsightId,
  start: number,
  end: number,
  routes: string[] = ['/flow_runs/filter']
): Episode {
  const insight = getInsight(id);
  return {
    id,
    severity: insight.severity,
    title: insight.title,
    start,
    end,
    routes,
    evidence: { summary: `summary ${id} ${start}` },
  };
}

describe('episodesToAnnotations', () => {
  it('makes one region per episode with title, tags, and plain-text advice', () => {
    const [a] = episodesToAnnotations([episode('db-pool-exhaustion', 10 * MIN, 20 * MIN, ['/flow_runs/filter'])], {
      advicePageUrl: ADVICE,
    });
    const insight = getInsight('db-pool-exhaustion');
    expect(a.time).toBe(10 * MIN);
    expect(a.timeEnd).toBe(20 * MIN);
    expect(a.title).toBe(insight.title);
    expect(a.tags).toEqual(expect.arrayContaining(['critical', 'db-pool-exhaustion']));
    expect(a.severity).toBe('critical');
    expect(a.text).toContain('/flow_runs/filter');
    expect(a.text).toContain('summary db-pool-exhaustion');
    expect(a.text).toContain('server.database.sqlalchemy.pool_size');
    expect(a.text).toContain('recommended 60');
    for (const sig of insight.errorSignatures) {
      expect(a.text).toContain(sig);
    }
    for (const cmd of insight.commands) {
      expect(a.text).toContain(cmd);
    }
    expect(a.text).toContain(`${ADVICE}?insight=db-pool-exhaustion`);
    expect(a.text).not.toMatch(/merged/);
  });

  it('never turns a route into markup', () => {
    const evil = '/x/<img src=x onerror=alert(1)>';
    const [a] = episodesToAnnotations([episode('runs-page-slow', 0, MIN, [evil])], { advicePageUrl: ADVICE });
    // Plain text: the value appears verbatim and no tag of our own surrounds it.
    expect(a.text).toContain(evil);
    expect(a.text.replace(evil, '')).not.toMatch(/<[a-z/]/i);
  });

  it('merges the closest same-id episodes when over the cap and says so', () => {
    const eps = [
      episode('runs-page-slow', 0, MIN),
      episode('runs-page-slow', 2 * MIN, 3 * MIN),
      episode('runs-page-slow', 4 * MIN, 5 * MIN),
      episode('runs-page-slow', 500 * MIN, 501 * MIN),
      episode('api-outage', 10 * MIN, 12 * MIN),
    ];
    const out = episodesToAnnotations(eps, { max: 3, advicePageUrl: ADVICE });
    expect(out).toHaveLength(3);
    const merged = out.find((a) => a.id === 'runs-page-slow' && a.time === 0)!;
    expect(merged.timeEnd).toBe(5 * MIN);
    expect(merged.episodes).toBe(3);
    expect(merged.text).toContain('3 episodes merged');
    expect(out.map((a) => a.id)).toContain('api-outage');
    expect(out.find((a) => a.time === 500 * MIN)?.episodes).toBe(1);
  });

  it('keeps the most severe when merging cannot reach the cap', () => {
    const eps = [
      episode('runs-page-slow', 0, MIN),
      episode('db-pool-exhaustion', 0, MIN),
      episode('api-outage', 0, 2 * MIN),
    ];
    const out = episodesToAnnotations(eps, { max: 1, advicePageUrl: ADVICE });
    expect(out.map((a) => a.id)).toEqual(['db-pool-exhaustion']);
  });

  it('keeps every episode under the default cap and sorts by time', () => {
    const eps = Array.from({ length: 50 }, (_, i) =>
      episode('api-outage', (49 - i) * 10 * MIN, ((49 - i) * 10 + 3) * MIN)
    );
    const out = episodesToAnnotations(eps, { advicePageUrl: ADVICE });
    expect(out).toHaveLength(50);
    expect(out.map((a) => a.time)).toEqual([...out.map((a) => a.time)].sort((x, y) => x - y));
  });

  it('never exceeds the default cap of 100', () => {
    const eps = Array.from({ length: 250 }, (_, i) => episode('api-outage', i * 10 * MIN, (i * 10 + 3) * MIN));
    const out = episodesToAnnotations(eps, { advicePageUrl: ADVICE });
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.reduce((n, a) => n + a.episodes, 0)).toBe(250);
  });
});

describe('insightStatuses', () => {
  const to = 1000 * MIN;
  it('lists every detectable insight with firing, seen or clear', () => {
    const statuses = insightStatuses(
      [episode('api-outage', to - 10 * MIN, to - MIN), episode('runs-page-slow', 0, 10 * MIN)],
      to
    );
    expect(statuses.map((s) => s.id).sort()).toEqual([...DETECTABLE_INSIGHT_IDS].sort());
    const byId = new Map(statuses.map((s) => [s.id, s]));
    expect(byId.get('api-outage')?.status).toBe('firing');
    expect(byId.get('runs-page-slow')?.status).toBe('seen');
    expect(byId.get('runs-page-slow')?.lastSeen).toBe(10 * MIN);
    expect(byId.get('db-pool-exhaustion')?.status).toBe('clear');
    expect(byId.get('db-pool-exhaustion')?.lastSeen).toBeUndefined();
  });

  it('uses the step for the firing tolerance', () => {
    const eps = [episode('api-outage', 0, to - 10 * MIN)];
    expect(insightStatuses(eps, to, MIN)[DETECTABLE_INSIGHT_IDS.indexOf('api-outage')].status).toBe('seen');
    expect(insightStatuses(eps, to, 5 * MIN)[DETECTABLE_INSIGHT_IDS.indexOf('api-outage')].status).toBe('firing');
  });
});
