// The three bundled dashboards, as shipped in dist/, run by @grafana/scenes (host/sceneDashboard.ts: Grafana 12's
// dashboard engine) through the built data source against the real Prometheus holding the simulated pool-exhaustion
// incident: with every variable on "All", with a multi-selection and with a single route.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness/buildHost';
import { DATASOURCE_UID, expect, readPluginJson, setupBuiltDataSource, test, type HostPage } from './harness/hostPage';
import { PICTURE_VIEWPORT, publishScreenshot } from './harness/docsScreenshot';
import { requirePrometheus } from './harness/state';

// The README's pictures are taken at this size (the test's assertions do not depend on it).
test.use({ viewport: PICTURE_VIEWPORT });

const HOUR = 3_600_000;
const ALL = '$__all';

interface Bundled {
  uid: string;
  path: string;
}

function bundled(): Bundled[] {
  const app = readPluginJson('prefectinsights-api-app') as {
    includes: Array<{ type: string; uid?: string; path: string }>;
  };
  return app.includes.filter((i) => i.type === 'dashboard').map((i) => ({ uid: i.uid!, path: i.path }));
}

interface VariableJson {
  name: string;
  type: string;
  includeAll?: boolean;
}

function readDashboard(path: string) {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'dist', path), 'utf8')) as {
    panels: Array<{ id: number; title: string; type: string }>;
    templating: { list: VariableJson[] };
  };
}

type Selection = Record<string, string[]>;

/**
 * The selections the tests run: every query variable on All (a variable without an All option: every value), the
 * first three routes, or one route; the other variables stay on All.
 */
function selections(variables: VariableJson[], routes: string[]): Record<'all' | 'multi' | 'single', Selection> {
  const all: Selection = {};
  for (const v of variables) {
    if (v.type === 'query') {
      all[v.name] = v.includeAll ? [ALL] : v.name === 'route' ? routes : [];
    }
  }
  const sorted = [...routes].sort();
  return {
    all,
    multi: { ...all, route: sorted.slice(0, 3) },
    single: { ...all, route: [sorted.includes('/api/flow_runs/filter') ? '/api/flow_runs/filter' : sorted[0]] },
  };
}

function renderDashboard(host: HostPage, json: unknown, from: number, to: number, selection: Selection) {
  return host.page.evaluate(([d, f, t, s]) => window.__host.renderDashboard(d as never, f, t, s), [
    json,
    from,
    to,
    selection,
  ] as const);
}

test('dist/plugin.json lists the three dashboards', () => {
  expect(
    bundled()
      .map((d) => d.uid)
      .sort()
  ).toEqual(['prefect-api-overview', 'prefect-api-routes', 'prefect-insights-timeline']);
});

for (const { uid, path } of bundled()) {
  for (const kind of ['all', 'multi', 'single'] as const) {
    test(`dashboard ${uid}, route ${kind}: every panel returns data through Scenes`, async ({ host }) => {
      test.setTimeout(120_000);
      const { data } = requirePrometheus(host.setup);
      const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
      await setupBuiltDataSource(host);
      const json = readDashboard(path);
      const selection = selections(json.templating.list, data.routes)[kind];
      const result = await renderDashboard(host, json, incident.start - 3 * HOUR, incident.end + HOUR, selection);

      // Scenes refreshed the query variables through the data source and kept the selection.
      if (result.options.route) {
        expect([...result.options.route].sort()).toEqual([...data.routes].sort());
        expect([...result.values.route].sort()).toEqual([...selection.route].sort());
      }
      expect(result.values.datasource).toEqual([DATASOURCE_UID]);
      expect(result.panels.length).toBe(json.panels.length);
      for (const panel of result.panels) {
        // "No data" is a failure: it is what "All" selecting nothing looks like.
        expect({
          panel: panel.title,
          error: panel.error,
          datasource: panel.datasourceUid,
          data: panel.valueCount > 0,
        }).toEqual({ panel: panel.title, error: undefined, datasource: DATASOURCE_UID, data: true });
      }
      const view = host.page.getByTestId('host-view');
      // Grafana's PanelChrome shows an error status for a failed query; none may be there.
      await expect(view.locator('[data-panel-error]:not([data-panel-error=""])')).toHaveCount(0);
      for (const panel of json.panels) {
        await expect(view.getByTestId(`panel-${panel.id}`)).toContainText(panel.title);
      }
      if (kind === 'all') {
        const timeseries = json.panels.filter((p) => p.type === 'timeseries');
        expect(await view.locator('canvas').count()).toBeGreaterThanOrEqual(timeseries.length);
        // Every time-series panel got the annotation layer's events from Scenes and drew the incident's region
        // (host/annotationRegions.tsx marks the plot with the number of regions it drew).
        for (const panel of timeseries) {
          const plot = view.getByTestId(`panel-${panel.id}`).locator('.uplot');
          await expect(plot, panel.title).toHaveAttribute('data-annotation-regions', /^[1-9]\d*$/);
        }
        const file = await host.screenshot(`dashboard-${uid}`);
        expect(statSync(file).size).toBeGreaterThan(10 * 1024);
        // The README shows the overview and the timeline; the drill-down stays in tests/artifacts.
        if (uid !== 'prefect-api-routes') {
          publishScreenshot(file, `dashboard-${uid}.png`);
        }
      }
      expect(host.missing).toEqual([]);
      expect(host.errors).toEqual([]);
    });
  }
}

test('the annotation layer, processed by Scenes, yields one region per episode with its time, end, tags, colour and text', async ({
  host,
}) => {
  test.setTimeout(120_000);
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  await setupBuiltDataSource(host);
  const overview = bundled().find((b) => b.uid === 'prefect-api-overview')!;
  const json = readDashboard(overview.path);
  const from = incident.start - 3 * HOUR;
  const to = incident.end + HOUR;
  const result = await renderDashboard(host, json, from, to, selections(json.templating.list, data.routes).all);
  const events = result.annotations['Prefect insights'];
  expect(events).toBeDefined();

  // The episodes the same range holds, as the insights table query returns them.
  const table = await host.page.evaluate(
    ([f, t]) =>
      window.__host.runQuery([{ queryType: 'insights', format: 'table', insights: [], minSeverity: 'info' }], f, t),
    [from, to] as const
  );
  const fields = new Map(table.frames[0].fields.map((f) => [f.name, f.values]));
  const episodes = (fields.get('id') ?? []).map((id, i) => ({
    id: String(id),
    severity: String(fields.get('severity')![i]),
    start: Number(fields.get('start')![i]),
    end: Number(fields.get('end')![i]),
  }));
  expect(episodes.map((e) => e.id)).toContain('db-pool-exhaustion');

  const regions = events.filter((e) => e.isRegion);
  expect(regions).toHaveLength(episodes.length);
  for (const episode of episodes) {
    const region = regions.find((r) => r.time === episode.start && r.timeEnd === episode.end);
    expect({ episode: episode.id, found: !!region }).toEqual({ episode: episode.id, found: true });
    expect(region!.tags).toEqual([episode.severity, episode.id]);
    // Scenes paints every event of a layer in the layer's icon colour (postProcessQueryResult).
    expect(region!.color).toBe(result.iconColors['Prefect insights']);
    expect(region!.type).toBe('Prefect insights');
    expect(region!.text).toContain(`/a/prefectinsights-api-app/advice?insight=${episode.id}`);
    expect(region!.text).toContain('<a href=');
  }
  expect(host.errors).toEqual([]);
});

test('the Slowest routes table links each row to the drill-down with the bare route', async ({ host }) => {
  test.setTimeout(120_000);
  const { data } = requirePrometheus(host.setup);
  const incident = data.windows.find((w) => w.insightId === 'db-pool-exhaustion')!;
  await setupBuiltDataSource(host);
  const overview = bundled().find((b) => b.uid === 'prefect-api-overview')!;
  const json = readDashboard(overview.path);
  const result = await renderDashboard(
    host,
    json,
    incident.start - 3 * HOUR,
    incident.end + HOUR,
    selections(json.templating.list, data.routes).all
  );
  const slowest = result.panels.find((p) => p.title.startsWith('Slowest routes'))!;
  expect(slowest.links.length).toBeGreaterThan(0);
  for (const href of slowest.links) {
    const url = new URL(href, 'http://grafana.test');
    expect(url.pathname).toBe('/d/prefect-api-routes');
    // The link is interpolated by Grafana's link supplier and Scenes' macros: the route as the variable's value.
    expect(data.routes).toContain(url.searchParams.get('var-route'));
    expect(url.searchParams.get('var-datasource')).toBe(DATASOURCE_UID);
    // `${__url_time_range}`: the dashboard's absolute range, as Scenes writes it to URLs.
    const from = url.searchParams.get('from') ?? '';
    expect(/^\d+$/.test(from) ? Number(from) : Date.parse(from)).toBe(incident.start - 3 * HOUR);
  }
});
