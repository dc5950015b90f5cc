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
import { requirePrometheus } from './harness/state';

const HOUR = 3_600_000;

/** The app's pages look up the nested data source through getDataSourceSrv(), as in Grafana. */
async function addDataSource(host: HostPage) {
  await setupBuiltDataSource(host);
}

async function renderApp(host: HostPage, path: string) {
  const meta = readPluginJson(APP_ID);
  await host.page.evaluate(([url, m, p]) => window.__host.renderApp(url, m as never, p), [
    APP_MODULE,
    meta,
    path,
  ] as const);
}

test('the app module loads through SystemJS and exposes an AppPlugin', async ({ host }) => {
  const loaded = await host.page.evaluate((url) => window.__host.importPlugin(url), APP_MODULE);
  expect(loaded.exports).toContain('plugin');
  expect(loaded.kind).toBe('app');
  expect(host.missing).toEqual([]);
});

test('the app root page renders in the host and offers the data source', async ({ host }) => {
  await addDataSource(host);
  await renderApp(host, `/a/${APP_ID}`);
  const view = host.page.getByTestId('host-view');
  await expect(view.getByText(/detectable insights/)).toBeVisible();
  await expect(view.getByRole('link', { name: 'Data source settings' })).toHaveAttribute(
    'href',
    `/connections/datasources/edit/${DATASOURCE_UID}`
  );
  await host.screenshot('app-root');
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});

test('the advice page scans the real Prometheus and shows the pool exhaustion it finds', async ({ host }) => {
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  await addDataSource(host);
  const from = incident.start - 2 * HOUR;
  const to = incident.end + HOUR;
  await renderApp(host, `/a/${APP_ID}/advice?insight=db-pool-exhaustion&from=${from}&to=${to}`);
  const view = host.page.getByTestId('host-view');
  // The page runs the data source's insight queries (getDataSourceSrv().get(uid).query) over the chosen range.
  await expect(view.getByText(/detected in this range: .*db-pool-exhaustion/)).toBeVisible({ timeout: 30_000 });
  await expect(view.getByText('Scanning the range for insights…')).toHaveCount(0);
  // The settings section names the parameter the insight implicates, with its Prefect setting path.
  await expect(view.getByText('server.database.sqlalchemy.pool_size').first()).toBeVisible();
  await host.screenshot('app-advice');
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});
