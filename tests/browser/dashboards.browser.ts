// The three bundled dashboards, as shipped in dist/, run panel by panel through the built data source against the
// real Prometheus holding the simulated pool-exhaustion incident (host/dashboard.tsx plays Grafana's dashboard).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness/buildHost';
import { DATASOURCE_UID, expect, readPluginJson, setupBuiltDataSource, test, type HostPage } from './harness/hostPage';
import { publishScreenshot } from './harness/docsScreenshot';
import { requirePrometheus } from './harness/state';

const HOUR = 3_600_000;

function bundled(): Array<{ uid: string; path: string }> {
  const app = readPluginJson('prefectinsights-api-app') as {
    includes: Array<{ type: string; uid?: string; path: string }>;
  };
  return app.includes.filter((i) => i.type === 'dashboard').map((i) => ({ uid: i.uid!, path: i.path }));
}

async function addDataSource(host: HostPage) {
  await setupBuiltDataSource(host);
}

test('dist/plugin.json lists the three dashboards', () => {
  expect(
    bundled()
      .map((d) => d.uid)
      .sort()
  ).toEqual(['prefect-api-overview', 'prefect-api-routes', 'prefect-insights-timeline']);
});

for (const { uid, path } of bundled()) {
  test(`dashboard ${uid}: every panel renders data without errors during the pool exhaustion`, async ({ host }) => {
    test.setTimeout(120_000);
    const { data } = requirePrometheus(host.setup);
    const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
    await addDataSource(host);
    const json = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', path), 'utf8'));
    // The drill-down is opened for three routes; the other dashboards take every value, as "All" would.
    const pick: Record<string, string[]> =
      uid === 'prefect-api-routes' ? { route: [...data.routes].sort().slice(0, 3) } : {};
    const from = incident.start - 3 * HOUR;
    const to = incident.end + HOUR;
    const result = await host.page.evaluate(([d, f, t, p]) => window.__host.renderDashboard(d, f, t, p), [
      json,
      from,
      to,
      pick,
    ] as const);

    if (uid === 'prefect-api-routes') {
      expect(result.variables.route).toHaveLength(pick.route.length);
      expect(pick.route.length).toBeGreaterThan(0);
    } else if (result.variables.route) {
      expect(result.variables.route.sort()).toEqual([...data.routes].sort());
    }
    expect(result.panels.length).toBe(json.panels.length);
    for (const panel of result.panels) {
      expect({ panel: panel.title, error: panel.error, datasource: panel.datasourceUid }).toEqual({
        panel: panel.title,
        error: undefined,
        datasource: DATASOURCE_UID,
      });
      expect({ panel: panel.title, hasValues: panel.valueCount > 0 }).toEqual({ panel: panel.title, hasValues: true });
    }
    const view = host.page.getByTestId('host-view');
    // Grafana's PanelChrome shows an error status for a failed query; none may be there.
    await expect(view.locator('[data-panel-error]:not([data-panel-error=""])')).toHaveCount(0);
    for (const panel of json.panels as Array<{ id: number; title: string }>) {
      await expect(view.getByTestId(`panel-${panel.id}`)).toContainText(panel.title);
    }
    const timeseries = (json.panels as Array<{ type: string }>).filter((p) => p.type === 'timeseries').length;
    expect(await view.locator('canvas').count()).toBeGreaterThanOrEqual(timeseries);
    const file = await host.screenshot(`dashboard-${uid}`);
    expect(statSync(file).size).toBeGreaterThan(10 * 1024);
    // The README shows the overview and the timeline; the drill-down stays in tests/artifacts.
    if (uid !== 'prefect-api-routes') {
      publishScreenshot(file, `dashboard-${uid}.png`);
    }
    expect(host.missing).toEqual([]);
    expect(host.errors).toEqual([]);
  });
}
