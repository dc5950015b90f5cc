// The bundled dashboards, imported when the app is enabled, render every panel without an error.
import { test, expect } from './fixtures';
import { OVERVIEW_DASHBOARD_UID, ROUTES_DASHBOARD_UID, TIMELINE_DASHBOARD_UID } from '../../src/constants';

for (const [uid, panel] of [
  [OVERVIEW_DASHBOARD_UID, 'p95 latency by route'],
  [ROUTES_DASHBOARD_UID, 'Share of total time'],
  [TIMELINE_DASHBOARD_UID, 'Insight status over time'],
] as const) {
  test(`${uid} has no panel errors`, async ({ gotoDashboardPage, page }) => {
    const dashboardPage = await gotoDashboardPage({ uid });
    await expect(dashboardPage.getPanelByTitle(panel).locator).toBeVisible();
    // Give the queries (and the insight scan behind the annotations) time to answer before judging.
    await page.waitForLoadState('networkidle');
    await expect(dashboardPage).not.toHavePanelErrors();
  });
}
