import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness/buildHost';
import { expect, setupBuiltDataSource, test } from './harness/hostPage';
import { requirePrometheus } from './harness/state';

const HOUR = 3_600_000;
/** Set to refresh the README's picture (docs/screenshot.png) from this run. */
const UPDATE_ENV = 'PREFECT_INSIGHTS_UPDATE_SCREENSHOT';

test('hero: p95 by route with the pool-exhaustion region and its advice, from the built plugin and real Prometheus', async ({
  host,
}) => {
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  await setupBuiltDataSource(host);
  const from = incident.start - 2 * HOUR;
  const to = incident.end + HOUR;
  const rendered = await host.page.evaluate(
    async ([f, t]) => {
      const query = await window.__host.runQuery(
        [{ queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] }],
        f,
        t
      );
      const annotations = await window.__host.runAnnotations(
        { name: 'Prefect insights', enable: true, iconColor: 'red' },
        f,
        t
      );
      window.__host.renderHero({
        title: 'Prefect API p95 by route, with detected insights',
        frames: query.frames,
        events: annotations.events,
        from: f,
        to: t,
      });
      return { series: query.frames.length, regions: annotations.events.filter((e) => e.isRegion).length };
    },
    [from, to] as const
  );
  expect(rendered.series).toBe(data.routes.length);
  expect(rendered.regions).toBeGreaterThan(0);
  const view = host.page.getByTestId('host-view');
  await expect(view.locator('svg polyline')).toHaveCount(data.routes.length);
  await expect(view.getByTestId('hero-annotation')).toContainText('Database connection pool exhaustion');

  const file = await host.screenshot('hero');
  if (process.env[UPDATE_ENV]) {
    mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
    copyFileSync(file, join(REPO_ROOT, 'docs/screenshot.png'));
  }
  expect(statSync(file).size).toBeLessThan(300 * 1024);
  expect(host.errors).toEqual([]);
});
