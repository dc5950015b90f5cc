import {
  DATASOURCE_MODULE,
  DATASOURCE_MODULE_UNDER_APP,
  PROMETHEUS_UID,
  expect,
  setupBuiltDataSource,
  test,
} from './harness/hostPage';
import { requirePrometheus } from './harness/state';

const HOUR = 3_600_000;

/** Index of the bucket holding `v` in ascending `bounds` (bounds.length = the +Inf bucket). */
function bucketIndex(bounds: number[], v: number): number {
  const i = bounds.findIndex((b) => v <= b);
  return i < 0 ? bounds.length : i;
}

test('the data source module loads through SystemJS and exposes a DataSourcePlugin with its editors', async ({
  host,
}) => {
  const loaded = await host.page.evaluate((url) => window.__host.importPlugin(url), DATASOURCE_MODULE);
  expect(loaded.exports).toContain('plugin');
  expect(loaded.kind).toBe('datasource');
  const ds = await setupBuiltDataSource(host);
  expect(ds.components).toEqual(expect.arrayContaining(['ConfigEditor', 'QueryEditor']));
  expect(ds.hasAnnotations).toBe(true);
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});

test('the config editor renders and typing a Prefect setting calls onOptionsChange', async ({ host }) => {
  await setupBuiltDataSource(host);
  await host.page.evaluate(() => window.__host.renderConfigEditor());
  const view = host.page.getByTestId('host-view');
  // The editor names the Prefect setting it holds; pool_timeout is the one every insight about the pool reads.
  const poolTimeout = view.getByLabel(/pool.?timeout/i).first();
  await expect(poolTimeout).toBeVisible();
  await host.screenshot('datasource-config-editor');

  await poolTimeout.fill('45');
  await poolTimeout.blur();
  await expect
    .poll(() => host.page.evaluate(() => window.__host.events.filter((e) => e.type === 'onOptionsChange').length))
    .toBeGreaterThan(0);
  const last = await host.page.evaluate(
    () => window.__host.events.filter((e) => e.type === 'onOptionsChange').at(-1)?.value as { jsonData: any }
  );
  expect(last.jsonData.prefect.poolTimeoutSeconds).toBe(45);
  // The Prometheus choice survives the edit: only the uid is stored, no credentials of its own.
  expect(last.jsonData.prometheusUid).toBe(PROMETHEUS_UID);
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});

test('the lazily loaded editor also loads when Grafana serves the data source under the app folder', async ({
  host,
}) => {
  await setupBuiltDataSource(host, { url: DATASOURCE_MODULE_UNDER_APP });
  await host.page.evaluate(() => window.__host.renderConfigEditor());
  await expect(
    host.page
      .getByTestId('host-view')
      .getByLabel(/pool.?timeout/i)
      .first()
  ).toBeVisible();
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});

test('the query editor renders a quantile query', async ({ host }) => {
  const { data } = requirePrometheus(host.setup);
  await setupBuiltDataSource(host);
  await host.page.evaluate(
    ([from, to]) =>
      window.__host.renderQueryEditor(
        { refId: 'A', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] },
        from,
        to
      ),
    [data.quiet.from, data.quiet.to] as const
  );
  const view = host.page.getByTestId('host-view');
  // The query type is a Combobox: its choice is the input's value, not text on the page.
  await expect(view.getByRole('combobox', { name: 'Query' })).toHaveValue('Latency quantiles');
  await expect(view.getByLabel('Quantiles')).toHaveValue('0.95');
  await host.screenshot('datasource-query-editor');
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});

test('a p95-by-route query against the real Prometheus returns each route within one bucket of ground truth', async ({
  host,
}) => {
  const { data } = requirePrometheus(host.setup);
  await setupBuiltDataSource(host);
  const result = await host.page.evaluate(
    ([from, to]) =>
      window.__host.runQuery([{ queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] }], from, to),
    [data.quiet.from, data.quiet.to] as const
  );
  expect(result.error).toBeUndefined();
  // Every request went through the chosen Prometheus data source's resource route, and on to Prometheus.
  expect(host.grafana.forwarded.length).toBeGreaterThan(0);
  const requests = await host.page.evaluate(() => window.__host.requests.map((r) => r.url));
  expect(requests.length).toBeGreaterThan(0);
  for (const url of requests) {
    expect(new URL(url).pathname).toMatch(new RegExp(`^/api/datasources/uid/${PROMETHEUS_UID}/resources/api/v1/`));
  }

  const byRoute = new Map<string, { times: number[]; values: number[] }>();
  for (const frame of result.frames) {
    const time = frame.fields.find((f) => f.type === 'time');
    const value = frame.fields.find((f) => f.type === 'number');
    const route = Object.values(value?.labels ?? {}).find((v) => data.routes.includes(v));
    expect(route, `frame ${frame.name} carries a known route label: ${JSON.stringify(value?.labels)}`).toBeDefined();
    byRoute.set(route!, { times: time!.values as number[], values: value!.values as number[] });
  }
  expect([...byRoute.keys()].sort()).toEqual([...data.routes].sort());

  const bounds = data.buckets;
  for (const [route, series] of byRoute) {
    const truth = data.quiet.p95[route];
    let compared = 0;
    let within = 0;
    for (const [t, p95] of truth) {
      const i = series.times.findIndex((x) => Math.abs(x - t) <= 60_000);
      if (i < 0 || !Number.isFinite(series.values[i])) {
        continue;
      }
      compared++;
      if (Math.abs(bucketIndex(bounds, series.values[i]) - bucketIndex(bounds, p95)) <= 1) {
        within++;
      }
    }
    expect(compared, `${route}: points compared with ground truth`).toBeGreaterThanOrEqual(truth.length / 2);
    // Poisson noise on the slowest routes may push a point across a bucket edge now and then, never often.
    expect(within / compared, `${route}: share of p95 points within one bucket of truth`).toBeGreaterThanOrEqual(0.9);
  }
  expect(host.errors).toEqual([]);
});

test('the annotation editor renders', async ({ host }) => {
  await setupBuiltDataSource(host);
  await host.page.evaluate(() =>
    window.__host.renderAnnotationEditor({ name: 'Prefect insights', enable: true, iconColor: 'red' })
  );
  const view = host.page.getByTestId('host-view');
  await expect(view.getByLabel('Max regions')).toBeVisible();
  await host.screenshot('datasource-annotation-editor');
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});

test('the annotation query returns a region covering the simulated pool exhaustion, with its title and evidence', async ({
  host,
}) => {
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion');
  expect(incident).toBeDefined();
  await setupBuiltDataSource(host);
  const from = incident!.start - 2 * HOUR;
  const to = incident!.end + HOUR;
  const { events } = await host.page.evaluate(
    ([f, t]) => window.__host.runAnnotations({ name: 'Prefect insights', enable: true, iconColor: 'red' }, f, t),
    [from, to] as const
  );
  const title = 'Database connection pool exhaustion';
  const pool = events.filter((e) => (e.title ?? '').includes(title) || (e.text ?? '').includes(title));
  expect(pool.length, JSON.stringify(events.map((e) => [e.title, e.time, e.timeEnd]))).toBeGreaterThan(0);
  const region = pool[0];
  expect(region.isRegion).toBe(true);
  // The region overlaps most of the ground-truth window and starts no earlier than a scrape or two before it.
  const overlap = Math.min(region.timeEnd!, incident!.end) - Math.max(region.time!, incident!.start);
  expect(overlap / (incident!.end - incident!.start)).toBeGreaterThanOrEqual(0.5);
  expect(region.time!).toBeGreaterThanOrEqual(incident!.start - 5 * 60_000);
  expect(region.timeEnd!).toBeLessThanOrEqual(incident!.end + 15 * 60_000);
  // Text: the insight title, evidence in numbers, the setting to check, and a link to the advice page.
  expect(region.text).toContain(title);
  expect(region.text).toMatch(/p9[59][^\n]*\d/);
  expect(region.text).toContain('pool_timeout');
  expect(region.text).toContain('/a/prefectinsights-api-app/advice?insight=db-pool-exhaustion');
  expect(region.tags).toEqual(expect.arrayContaining(['critical']));
  // Quiet hours before the incident produce no region.
  for (const e of events) {
    expect(e.timeEnd!, `${e.title} ends after the incident started`).toBeGreaterThanOrEqual(
      incident!.start - 5 * 60_000
    );
  }
  expect(host.errors).toEqual([]);
});
