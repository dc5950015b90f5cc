// The built data source inside the host page, reaching Prometheus through the Prometheus data source's resource
// route as Grafana serves it (hostPage.ts cites the Grafana code): the managed Prometheus types in the picker, and
// each way that route fails, as a panel error and as Save & test's message.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { PROMETHEUS_UID, expect, setupBuiltDataSource, test, type HostPage } from './harness/hostPage';
import { requirePrometheus } from './harness/state';

const OTHERS = [
  { uid: 'amp', name: 'Amazon Managed Prometheus', type: 'grafana-amazonprometheus-datasource' },
  { uid: 'azure', name: 'Azure Monitor managed Prometheus', type: 'grafana-azureprometheus-datasource' },
  { uid: 'loki', name: 'Loki logs', type: 'loki' },
];

async function setup(host: HostPage, prometheusUid: string, jsonData: Record<string, unknown> = {}) {
  await setupBuiltDataSource(host, { jsonData: { prometheusUid, ...jsonData }, others: OTHERS });
}

/** A panel query and Save & test; both must fail, and their messages are returned. */
async function failures(host: HostPage): Promise<string[]> {
  const now = Date.now();
  const result = await host.page.evaluate(
    ([from, to]) =>
      window.__host.runQuery([{ queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] }], from, to),
    [now - 3_600_000, now] as const
  );
  expect(result.frames).toEqual([]);
  const errors = result.errors as Array<{ message: string }>;
  expect(errors).toHaveLength(1);
  const test = await host.page.evaluate(() => window.__host.testDataSource());
  expect(test.status).toBe('error');
  return [errors[0].message, test.message];
}

function listen<T extends Server | HttpServer>(server: T): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`))
  );
}

test("the picker offers the Prometheus types built on Grafana's Prometheus library, and a managed one answers panels through the resource route", async ({
  host,
}) => {
  await setup(host, PROMETHEUS_UID);
  await host.page.evaluate(() => window.__host.renderConfigEditor());
  const view = host.page.getByTestId('host-view');
  await view.locator('#prefect-prometheus-uid').click();
  for (const name of ['Prometheus', 'Amazon Managed Prometheus', 'Azure Monitor managed Prometheus']) {
    await expect(host.page.getByText(name, { exact: true }).first()).toBeVisible();
  }
  await expect(host.page.getByText('Loki logs')).toHaveCount(0);
  await host.screenshot('datasource-prometheus-picker');
  await host.page.getByText('Amazon Managed Prometheus', { exact: true }).first().click();
  await expect
    .poll(() =>
      host.page.evaluate(
        () =>
          (
            window.__host.events.filter((e) => e.type === 'onOptionsChange').at(-1)?.value as
              { jsonData: { prometheusUid?: string } } | undefined
          )?.jsonData.prometheusUid
      )
    )
    .toBe('amp');

  // Saved with the managed data source, whose Grafana backend signs and sends the calls (here to the real Prometheus).
  const { url, data } = requirePrometheus(host.setup);
  host.grafana.upstreams.set('amp', url);
  await setup(host, 'amp');
  const result = await host.page.evaluate(
    ([from, to]) =>
      window.__host.runQuery([{ queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] }], from, to),
    [data.quiet.from, data.quiet.to] as const
  );
  expect(result.errors).toBeUndefined();
  expect(result.frames.length).toBe(data.routes.length);
  const urls = await host.page.evaluate(() => window.__host.requests.map((r) => new URL(r.url).pathname));
  expect(urls.length).toBeGreaterThan(0);
  for (const path of urls) {
    expect(path).toMatch(/^\/api\/datasources\/uid\/amp\/resources\/api\/v1\//);
  }
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});

test('a Prometheus data source set to GET (promlib answers POST with 405): panels and Save & test send GET only', async ({
  host,
}) => {
  const { data } = requirePrometheus(host.setup);
  host.grafana.getOnly.add(PROMETHEUS_UID);
  await setupBuiltDataSource(host, {
    jsonData: { prometheusUid: PROMETHEUS_UID },
    prometheusJsonData: { httpMethod: 'GET' },
  });
  const test = await host.page.evaluate(() => window.__host.testDataSource());
  // The simulated days lie before Save & test's last 24 hours: its verdict on the metric (found, outside the range)
  // takes the series and query calls that find it nearby, so it means every call got through.
  expect(test.message).toMatch(/has no samples between .*: it was last seen at /);
  const result = await host.page.evaluate(
    ([from, to]) =>
      window.__host.runQuery([{ queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] }], from, to),
    [data.quiet.from, data.quiet.to] as const
  );
  expect(result.errors).toBeUndefined();
  expect(result.frames.length).toBe(data.routes.length);
  const methods = await host.page.evaluate(() => window.__host.requests.map((r) => r.method));
  expect(methods.length).toBeGreaterThan(3);
  expect(methods.filter((m) => m !== 'GET')).toEqual([]);
  expect(host.errors).toEqual([]);
});

test.describe('failures on the resource route', () => {
  const servers: Array<Server | HttpServer> = [];
  const sockets: Socket[] = [];
  test.afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  test('401 relayed from an auth proxy in front of Prometheus', async ({ host }) => {
    const proxy = createHttpServer((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      res.end('Unauthorized\n');
    });
    servers.push(proxy);
    host.grafana.upstreams.set('p401', await listen(proxy));
    await setup(host, 'p401');
    for (const m of await failures(host)) {
      expect(m).toMatch(/HTTP 401 on the Prometheus data source "p401": Unauthorized\. .*credentials/);
    }
  });

  test('403 when the user may not query the data source', async ({ host }) => {
    host.grafana.denied.add(PROMETHEUS_UID);
    await setup(host, PROMETHEUS_UID);
    for (const m of await failures(host)) {
      expect(m).toMatch(/HTTP 403 .*Access denied to datasource\. You need query permission/);
    }
    expect(host.grafana.forwarded).toEqual([]);
  });

  test('a deleted data source (Grafana answers 500 "Unable to load datasource meta data")', async ({ host }) => {
    await setup(host, 'deleted-uid');
    for (const m of await failures(host)) {
      expect(m).toMatch(/"deleted-uid" no longer exists in Grafana/);
    }
  });

  test('404 relayed from the real Prometheus when the data source URL is not its API root', async ({ host }) => {
    const { url } = requirePrometheus(host.setup);
    host.grafana.upstreams.set('p404', `${url}/prometheus`);
    await setup(host, 'p404');
    for (const m of await failures(host)) {
      expect(m).toMatch(/HTTP 404 on the Prometheus data source "p404": 404 page not found\. .*API root/);
    }
  });

  test('Prometheus down (Grafana 12.4+ answers 500 "An error occurred within the plugin")', async ({ host }) => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    host.grafana.upstreams.set('pdown', url);
    await setup(host, 'pdown');
    for (const m of await failures(host)) {
      expect(m).toMatch(
        /Prometheus is unreachable through the Prometheus data source "pdown" \(HTTP 500: An error occurred within the plugin\)/
      );
    }
  });

  test('plugin not running (Grafana 12.4+ answers 500 "Plugin unavailable")', async ({ host }) => {
    host.grafana.unavailable.add(PROMETHEUS_UID);
    await setup(host, PROMETHEUS_UID);
    for (const m of await failures(host)) {
      expect(m).toMatch(
        /The plugin behind the Prometheus data source "[^"]+" is not running \(HTTP 500: Plugin unavailable\)/
      );
    }
    expect(host.grafana.forwarded).toEqual([]);
  });

  test("5xx with Prometheus's error body, relayed", async ({ host }) => {
    const overloaded = createHttpServer((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'TSDB not ready' }));
    });
    servers.push(overloaded);
    host.grafana.upstreams.set('p503', await listen(overloaded));
    await setup(host, 'p503');
    for (const m of await failures(host)) {
      expect(m).toMatch(/Prometheus is unavailable .*TSDB not ready/);
    }
  });

  test('a Prometheus that accepts and never answers ends at the time limit', async ({ host }) => {
    const silent = createServer((socket) => {
      sockets.push(socket);
    });
    servers.push(silent);
    host.grafana.upstreams.set('psilent', await listen(silent));
    await setup(host, 'psilent', { requestTimeoutSeconds: 1 });
    for (const m of await failures(host)) {
      expect(m).toMatch(
        /No answer through Grafana from the Prometheus data source "psilent" within the request time limit of 1 s/
      );
    }
  });
});
