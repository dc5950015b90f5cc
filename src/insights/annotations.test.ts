import { textUtil } from '@grafana/data';
import { DETECTABLE_INSIGHT_IDS, getInsight } from '../catalog/catalog';
import { logSearchFor } from '../catalog/logSearches';
import { DEFAULT_MAX_ANNOTATIONS, episodesToAnnotations, insightStatuses } from './annotations';
import type { Episode } from './types';
import type { DetectableInsightId } from '../catalog/types';

const ADVICE = '/a/prefectinsights-api-app/advice';

/** The tooltip body as Grafana builds it: innerHTML = textUtil.sanitize(text) (AnnotationTooltipBody.tsx). */
function rendered(text: string): HTMLDivElement {
  const div = document.createElement('div');
  div.innerHTML = textUtil.sanitize(text);
  return div;
}
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
  it('makes one region per episode with title, tags, and the advice as HTML Grafana keeps', () => {
    const [a] = episodesToAnnotations([episode('db-pool-exhaustion', 10 * MIN, 20 * MIN, ['/flow_runs/filter'])], {
      advicePageUrl: ADVICE,
    });
    const insight = getInsight('db-pool-exhaustion');
    expect(a.time).toBe(10 * MIN);
    expect(a.timeEnd).toBe(20 * MIN);
    expect(a.title).toBe(insight.title);
    expect(a.tags).toEqual(expect.arrayContaining(['critical', 'db-pool-exhaustion']));
    expect(a.severity).toBe('critical');
    const view = rendered(a.text);
    // The sanitizer keeps all of it: what we wrote is what Grafana shows.
    const unsanitized = document.createElement('div');
    unsanitized.innerHTML = a.text;
    expect(view.innerHTML).toBe(unsanitized.innerHTML);
    const text = view.textContent ?? '';
    expect(text).toContain('/flow_runs/filter');
    expect(text).toContain('summary db-pool-exhaustion');
    expect(text).toContain('server.database.sqlalchemy.pool_size');
    expect(text).toContain('recommended 60');
    const items = [...view.querySelectorAll('li')].map((li) => li.textContent);
    for (const sig of insight.errorSignatures) {
      expect(items).toContain(sig);
    }
    for (const cmd of insight.commands) {
      expect(items).toContain(cmd);
    }
    // One block per line of advice, not one run-on paragraph.
    expect(view.querySelectorAll('ul').length).toBeGreaterThanOrEqual(2);
    const links = [...view.querySelectorAll('a')];
    expect(links.map((l) => l.getAttribute('href'))).toEqual([`${ADVICE}?insight=db-pool-exhaustion`]);
    expect(text).not.toMatch(/merged/);
  });

  it('says in its text what the episode was read from, escaped', () => {
    const ep = episode('db-pool-exhaustion', 10 * MIN, 20 * MIN);
    const read = { ...ep, evidence: { ...ep.evidence, readFrom: 'read from recording rules at 5-minute resolution' } };
    const [a] = episodesToAnnotations([read], { advicePageUrl: ADVICE });
    expect(rendered(a.text).textContent).toContain('Data: read from recording rules at 5-minute resolution.');
    const [b] = episodesToAnnotations([{ ...ep, evidence: { ...ep.evidence, readFrom: '<b>x</b>' } }], {
      advicePageUrl: ADVICE,
    });
    expect(rendered(b.text).querySelector('b b')).toBeNull();
    expect(rendered(b.text).textContent).toContain('Data: <b>x</b>.');
  });

  it("carries the insight's LogQL search, and an Explore link over the window when a Loki data source is known", () => {
    const search = logSearchFor('db-pool-exhaustion')!;
    const ep = episode('db-pool-exhaustion', 10 * MIN, 20 * MIN);
    const [without] = episodesToAnnotations([ep], { advicePageUrl: ADVICE });
    const plain = rendered(without.text);
    expect([...plain.querySelectorAll('code')].map((c) => c.textContent)).toContain(search.query);
    expect(plain.querySelectorAll('a')).toHaveLength(1);

    const [withLoki] = episodesToAnnotations([ep], { advicePageUrl: ADVICE, lokiUid: 'loki-uid' });
    const hrefs = [...rendered(withLoki.text).querySelectorAll('a')].map((l) => l.getAttribute('href') ?? '');
    expect(hrefs).toHaveLength(2);
    const explore = new URL(
      hrefs.find((h) => h.startsWith('/explore?'))!,
      'http://grafana.local'
    );
    const pane = Object.values(JSON.parse(explore.searchParams.get('panes')!))[0] as {
      datasource: string;
      queries: Array<{ expr: string }>;
      range: { from: string; to: string };
    };
    expect(pane.datasource).toBe('loki-uid');
    expect(pane.queries[0].expr).toBe(search.query);
    // The window covers the region (padded, never narrower).
    expect(Number(pane.range.from)).toBeLessThanOrEqual(10 * MIN);
    expect(Number(pane.range.to)).toBeGreaterThanOrEqual(20 * MIN);
  });

  it("puts Grafana's sub-path in front of the advice and Explore links", () => {
    const ep = episode('db-pool-exhaustion', 10 * MIN, 20 * MIN);
    const [a] = episodesToAnnotations([ep], { advicePageUrl: ADVICE, lokiUid: 'loki-uid', appSubUrl: '/grafana' });
    const hrefs = [...rendered(a.text).querySelectorAll('a')].map((l) => l.getAttribute('href') ?? '');
    expect(hrefs).toHaveLength(2);
    expect(hrefs).toContain(`/grafana${ADVICE}?insight=db-pool-exhaustion`);
    expect(hrefs.filter((h) => h.startsWith('/grafana/explore?'))).toHaveLength(1);
  });

  it.each([
    '/x/<img src=x onerror=alert(1)>',
    '/flow_runs/filter"}<a href="javascript:alert(2)">click</a>',
    "/x'><script>alert(3)</script>",
    '/x/&lt;b&gt;entity&lt;/b&gt;',
  ])('shows the route %s as text, never as markup', (evil) => {
    const [a] = episodesToAnnotations(
      [{ ...episode('runs-page-slow', 0, MIN, [evil]), evidence: { summary: `p95 12 s on ${evil}` } }],
      { advicePageUrl: ADVICE }
    );
    const view = rendered(a.text);
    expect(view.querySelector('img, script')).toBeNull();
    expect([...view.querySelectorAll('a')].map((l) => l.getAttribute('href'))).toEqual([
      `${ADVICE}?insight=runs-page-slow`,
    ]);
    expect([...view.querySelectorAll('code')].map((c) => c.textContent)).toContain(evil);
    expect(view.textContent).toContain(`p95 12 s on ${evil}`);
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

  it('never exceeds the default cap', () => {
    const eps = Array.from({ length: DEFAULT_MAX_ANNOTATIONS + 150 }, (_, i) =>
      episode('api-outage', i * 10 * MIN, (i * 10 + 3) * MIN)
    );
    const out = episodesToAnnotations(eps, { advicePageUrl: ADVICE });
    expect(out.length).toBeLessThanOrEqual(DEFAULT_MAX_ANNOTATIONS);
    expect(out.reduce((n, a) => n + a.episodes, 0)).toBe(DEFAULT_MAX_ANNOTATIONS + 150);
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
