// Grafana served under a sub-path (`[server] root_url = https://host/grafana/`, `serve_from_sub_path`): the host page
// lives under /grafana/, config.appSubUrl is '/grafana', and nothing answers outside it. Every link the app's pages,
// the annotations and the dashboards build must stay under the sub-path and lead to a Grafana page; the test follows
// each one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness/buildHost';
import {
  APP_ID,
  DATASOURCE_ID,
  ORIGIN,
  expect,
  readPluginJson,
  setupBuiltDataSource,
  test,
  type HostPage,
} from './harness/hostPage';
import { requirePrometheus } from './harness/state';

const SUB = '/grafana';
const HOUR = 3_600_000;

test.use({ subPath: SUB });

/** Every root-relative link must carry the sub-path; the page it names must be one Grafana serves. */
async function follow(host: HostPage, hrefs: string[]) {
  expect(hrefs.length).toBeGreaterThan(0);
  for (const href of new Set(hrefs)) {
    const url = new URL(href, `${ORIGIN}${SUB}/`);
    expect({ href, underSubPath: url.pathname.startsWith(`${SUB}/`) }).toEqual({ href, underSubPath: true });
    const answer = await host.page.goto(url.toString());
    expect({ href, status: answer?.status() }).toEqual({ href, status: 200 });
  }
  expect(host.missing).toEqual([]);
}

async function setup(host: HostPage) {
  return setupBuiltDataSource(host, { url: `${SUB}/public/plugins/${DATASOURCE_ID}/module.js` });
}

test('under /grafana/ the overview page links (dashboards, advice, catalogue) stay under the sub-path', async ({
  host,
}) => {
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  const to = incident.end - 10 * 60_000;
  await setup(host);
  await host.page.evaluate(([url, m, p]) => window.__host.renderApp(url, m as never, p), [
    `${SUB}/public/plugins/${APP_ID}/module.js`,
    readPluginJson(APP_ID),
    `/a/${APP_ID}/overview?from=${to - 6 * HOUR}&to=${to}`,
  ] as const);
  const view = host.page.getByTestId('host-view');
  await expect(view.getByRole('heading', { name: /^1 firing now/ })).toBeVisible({ timeout: 30_000 });
  // The page itself is routed under the sub-path (Grafana's history has appSubUrl as its basename).
  expect(new URL(host.page.url()).pathname).toBe(`${SUB}/a/${APP_ID}/overview`);
  const hrefs = await view.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const paths = hrefs.filter((h) => h.startsWith('/'));
  expect(paths.some((h) => h.startsWith(`${SUB}/d/prefect-insights-timeline?`))).toBe(true);
  expect(paths.some((h) => h.startsWith(`${SUB}/a/${APP_ID}/advice`))).toBe(true);
  expect(host.errors).toEqual([]);
  await follow(host, paths);
});

test('under /grafana/ the annotation text links to the advice page under the sub-path', async ({ host }) => {
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  await setup(host);
  const { events } = await host.page.evaluate(
    ([f, t]) => window.__host.runAnnotations({ name: 'Insights', enable: true, iconColor: 'red', target: {} }, f, t),
    [incident.start - HOUR, incident.end + HOUR] as const
  );
  const hrefs = events.flatMap((e) => [...String(e.text).matchAll(/href="([^"]+)"/g)].map((m) => m[1]));
  expect(hrefs).toContain(`${SUB}/a/${APP_ID}/advice?insight=db-pool-exhaustion`);
  await follow(host, hrefs);
});

test("under /grafana/ the dashboards' data links, as Grafana builds them, stay under the sub-path", async ({
  host,
}) => {
  test.setTimeout(120_000);
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  await setup(host);
  const app = readPluginJson(APP_ID) as { includes: Array<{ type: string; uid?: string; path: string }> };
  const overview = app.includes.find((i) => i.uid === 'prefect-api-overview')!;
  const json = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', overview.path), 'utf8'));
  const result = await host.page.evaluate(([d, f, t]) => window.__host.renderDashboard(d as never, f, t, {}), [
    json,
    incident.start - 3 * HOUR,
    incident.end + HOUR,
  ] as const);
  const links = result.panels.flatMap((p) => p.links);
  expect(links.some((h) => h.startsWith(`${SUB}/d/prefect-api-routes?var-route=`))).toBe(true);
  expect(links.some((h) => h.startsWith(`${SUB}/a/${APP_ID}/advice?insight=`))).toBe(true);
  // Dashboard links (the bar above the panels) are made by Grafana's LinkSrv, which also puts the sub-path in front
  // (locationUtil.assureBaseUrl, public/app/features/panel/panellinks/link_srv.ts): root-relative URLs are right.
  for (const link of json.links as Array<{ url: string }>) {
    expect(link.url.startsWith('/')).toBe(true);
  }
  expect(host.errors).toEqual([]);
  await follow(host, links);
});
