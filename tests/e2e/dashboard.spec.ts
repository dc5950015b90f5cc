// The bundled dashboard, imported when the app is enabled, renders every panel without an error.
import { test, expect } from './fixtures';
import { OVERVIEW_DASHBOARD_UID } from '../../src/constants';

test('Prefect API overview has no panel errors', async ({ gotoDashboardPage, page }) => {
  const dashboardPage = await gotoDashboardPage({ uid: OVERVIEW_DASHBOARD_UID });
  await expect(dashboardPage.getPanelByTitle('p95 latency by route').locator).toBeVisible();
  // Give the queries (and the insight scan behind the annotations) time to answer before judging.
  await page.waitForLoadState('networkidle');
  await expect(dashboardPage).not.toHavePanelErrors();
});
