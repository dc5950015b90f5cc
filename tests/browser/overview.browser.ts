// The app's overview page, built, scanning the real Prometheus through the built data source: a firing insight when
// the range ends inside the pool exhaustion, all clear over a quiet stretch.
import {
  APP_ID,
  APP_MODULE,
  DATASOURCE_UID,
  expect,
  readPluginJson,
  setupBuiltDataSource,
  test,
  type HostPage,
} from './harness/hostPage';
import { PICTURE_VIEWPORT, publishScreenshot } from './harness/docsScreenshot';
import { requirePrometheus } from './harness/state';

// The README's pictures are taken at this size (the test's assertions do not depend on it).
test.use({ viewport: PICTURE_VIEWPORT });

const HOUR = 3_600_000;
const MIN = 60_000;

async function openOverview(host: HostPage, from: number, to: number) {
  await setupBuiltDataSource(host);
  await host.page.evaluate(([url, m, p]) => window.__host.renderApp(url, m as never, p), [
    APP_MODULE,
    readPluginJson(APP_ID),
    `/a/${APP_ID}/overview?from=${from}&to=${to}`,
  ] as const);
}

test('overview: the pool exhaustion shows as firing, first, with links to its advice and the timeline', async ({
  host,
}) => {
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  // "Now" is inside the incident: the range ends ten minutes before the incident does.
  const to = incident.end - 10 * MIN;
  await openOverview(host, to - 6 * HOUR, to);
  const view = host.page.getByTestId('host-view');
  await expect(view.getByRole('heading', { name: /^1 firing now/ })).toBeVisible({ timeout: 30_000 });
  const items = view.getByRole('list', { name: 'Insight status' }).getByRole('listitem');
  await expect(items.first()).toHaveAttribute('aria-label', /Database connection pool exhaustion.*: Firing now$/);
  await expect(items.first().getByRole('link', { name: /advice/i })).toHaveAttribute(
    'href',
    new RegExp(`^/a/${APP_ID}/advice\\?insight=db-pool-exhaustion&`)
  );
  await expect(items.first().getByRole('link', { name: /timeline/i })).toHaveAttribute(
    'href',
    new RegExp(`^/d/prefect-insights-timeline\\?from=${to - 6 * HOUR}&to=${to}&var-datasource=${DATASOURCE_UID}$`)
  );
  publishScreenshot(await host.screenshot('overview-firing'), 'overview-page.png');
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});

test('overview: all clear over a quiet stretch', async ({ host }) => {
  const { data } = requirePrometheus(host.setup);
  await openOverview(host, data.quiet.from, data.quiet.to);
  const view = host.page.getByTestId('host-view');
  await expect(view.getByRole('heading', { name: 'All clear in this range' })).toBeVisible({ timeout: 30_000 });
  const items = view.getByRole('list', { name: 'Insight status' }).getByRole('listitem');
  const labels = await items.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  expect(labels.length).toBeGreaterThan(5);
  expect(labels.every((l) => l.endsWith(': Clear'))).toBe(true);
  await host.screenshot('overview-clear');
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});
