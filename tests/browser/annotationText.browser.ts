// Annotation text as Grafana shows it: the built data source's annotation query against a real Prometheus whose
// route label values are hostile markup, each event rendered by the host's copy of Grafana's tooltip body
// (innerHTML = textUtil.sanitize(text)). The routes must read as text; nothing of theirs may become an element.
import { PROMETHEUS_UID, expect, setupBuiltDataSource, test } from './harness/hostPage';
import { requirePrometheus } from './harness/state';

const HOUR = 3_600_000;

test('hostile route values show as plain text in annotation tooltips rendered as Grafana renders them', async ({
  host,
}) => {
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  await setupBuiltDataSource(host, {
    jsonData: { prometheusUid: PROMETHEUS_UID, overrides: { metric: data.hostile.metric } },
  });
  const events = await host.page.evaluate(
    async ([f, t]) => {
      const { events } = await window.__host.runAnnotations({ name: 'Prefect insights', enable: true }, f, t);
      window.__host.renderAnnotationTooltips(events);
      return events;
    },
    [incident.start - 2 * HOUR, incident.end + HOUR] as const
  );
  const pool = events.filter((e) => (e.tags ?? []).includes('db-pool-exhaustion'));
  expect(pool.length, JSON.stringify(events.map((e) => e.title))).toBeGreaterThan(0);

  const view = host.page.getByTestId('host-view');
  const texts = view.getByTestId('annotation-text');
  await expect(texts).toHaveCount(events.length);
  // The scan really saw the hostile routes: they are in the text, verbatim, as text (the /api prefix normalised away).
  const shown = (await texts.allTextContents()).join('\n');
  const hostileShown = data.hostile.routes.map((r) => r.replace(/^\/api/, '')).filter((r) => shown.includes(r));
  expect(hostileShown.length, shown.slice(0, 2000)).toBeGreaterThan(0);
  // No element of the routes' own survived: no image, script or foreign link; every link is the advice page.
  await expect(view.locator('img, script, iframe')).toHaveCount(0);
  const hrefs = await view
    .locator('[data-testid="annotation-text"] a')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  expect(hrefs.length).toBe(events.length);
  for (const href of hrefs) {
    expect(href).toMatch(/^\/a\/prefectinsights-api-app\/advice\?insight=[a-z0-9-]+$/);
  }
  // Structure survived the sanitizer: lists and code blocks, and a clickable advice link.
  await expect(texts.first().locator('li').first()).toBeVisible();
  await expect(texts.first().getByRole('link', { name: 'Open the advice for this insight' })).toBeVisible();
  expect(await host.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  await host.screenshot('annotation-tooltip-hostile');
  expect(host.errors).toEqual([]);
});
