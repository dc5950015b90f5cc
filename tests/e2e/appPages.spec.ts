// App pages in a real Grafana (`docker compose up`, then `npm run e2e`), with the provisioned data sources.
import { test, expect } from './fixtures';
import { ROUTES } from '../../src/constants';

test.describe('app pages', () => {
  test('overview scans the provisioned data source and lists every insight', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Overview}`);
    await expect(page.getByText('No Prefect API insights data source yet')).toHaveCount(0);
    const list = page.getByRole('list', { name: 'Insight status' });
    // Live data may or may not hold an incident; what matters is that the scan answered rather than failed.
    await expect(list.getByRole('listitem').first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText('The insight scan failed')).toHaveCount(0);
  });

  test('advice page holds every setting against the data of the range', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Advice}`);
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    const poolSize = page.getByRole('region', { name: 'server.database.sqlalchemy.pool_size' });
    // Either verdict is correct for live data; what matters is that the scan answered rather than failed.
    await expect(poolSize.getByText(/^(implicated by .+|no evidence in range)$/)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText('The insight scan failed')).toHaveCount(0);
    await expect(poolSize.getByText('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE=60')).toBeVisible();
  });

  test('advice page highlights the insight named in the URL', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Advice}?insight=db-pool-exhaustion`);
    await expect(page.locator('#advice-db-pool-exhaustion')).toHaveAttribute('aria-current', 'true');
  });

  test('catalogue lists all eleven insights', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Insights}`);
    await expect(page.locator('section[id^="insight-"]')).toHaveCount(11);
  });
});
