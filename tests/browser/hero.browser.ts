import { statSync } from 'node:fs';
import { PICTURE_VIEWPORT, publishScreenshot } from './harness/docsScreenshot';
import { expect, setupBuiltDataSource, test } from './harness/hostPage';
import { requirePrometheus } from './harness/state';

// The README's pictures are taken at this size (the test's assertions do not depend on it).
test.use({ viewport: PICTURE_VIEWPORT });

const HOUR = 3_600_000;

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
  publishScreenshot(file, 'screenshot.png');
  expect(statSync(file).size).toBeLessThan(300 * 1024);
  expect(host.errors).toEqual([]);
});
