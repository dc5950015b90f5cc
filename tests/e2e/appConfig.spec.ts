import { test, expect } from './fixtures';

test('app configuration page points to the data source', async ({ appConfigPage, page }) => {
  await expect(page.getByText(/settings live in the Prefect API insights data source/)).toBeVisible();
  await expect(page.getByRole('link', { name: /add a prefect api insights data source/i })).toBeVisible();
  expect(appConfigPage).toBeTruthy();
});
