// The bundled dashboards, imported when the app is enabled, show data in every panel: with their variables on "All"
// (as saved) and with one route picked. A panel showing "No data" fails, so "All" selecting nothing (a custom all
// value reaching the data source unformatted) cannot pass as "no errors". Needs a Grafana at GRAFANA_URL with the
// provisioned simulator (`npm run server`).
import { test, expect } from './fixtures';
import overview from '../../src/dashboards/prefect-api-overview.json';
import routes from '../../src/dashboards/prefect-api-routes.json';
import timeline from '../../src/dashboards/prefect-insights-timeline.json';

interface PanelJson {
  title: string;
  targets?: Array<{ queryType?: string }>;
}

const DASHBOARDS = [overview, routes, timeline] as Array<{ uid: string; panels: PanelJson[] }>;

/** Episode tables list the insights found in the range, and a healthy range may have none: only those may be empty. */
function mayBeEmpty(panel: PanelJson): boolean {
  return (panel.targets ?? []).every((t) => t.queryType === 'insights');
}

/** A route the simulator always serves (tools/simulator), for the single-route run. */
const ONE_ROUTE = '/api/flow_runs/filter';

for (const dashboard of DASHBOARDS) {
  for (const [name, params] of [
    ['as saved ("All")', new URLSearchParams()],
    ['one route', new URLSearchParams({ 'var-route': ONE_ROUTE })],
  ] as const) {
    test(`${dashboard.uid}, ${name}: every panel shows data`, async ({ gotoDashboardPage, page }) => {
      const dashboardPage = await gotoDashboardPage({ uid: dashboard.uid, queryParams: params });
      for (const { title } of dashboard.panels) {
        const panel = dashboardPage.getPanelByTitle(title);
        // Grafana 12.4+ renders panels lazily: bring each into view so its query runs.
        await panel.scrollIntoView();
        await expect(panel.locator).toBeVisible();
      }
      // Give the queries (and the insight scan behind the annotations) time to answer before judging.
      await page.waitForLoadState('networkidle');
      await expect(dashboardPage).not.toHavePanelErrors();
      for (const json of dashboard.panels) {
        const panel = dashboardPage.getPanelByTitle(json.title);
        await expect(panel.getErrorIcon(), json.title).toHaveCount(0);
        if (!mayBeEmpty(json)) {
          // Grafana's panels say "No data" when the query returned nothing.
          await expect(panel.locator, json.title).not.toContainText('No data');
        }
      }
    });
  }
}
