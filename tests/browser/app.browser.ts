import { APP_ID, APP_MODULE, expect, readPluginJson, test } from './harness/hostPage';

test('the app module loads through SystemJS and exposes an AppPlugin', async ({ host }) => {
  const loaded = await host.page.evaluate((url) => window.__host.importPlugin(url), APP_MODULE);
  expect(loaded.exports).toContain('plugin');
  expect(loaded.kind).toBe('app');
  expect(host.missing).toEqual([]);
});

test('the app root page renders in the host', async ({ host }) => {
  const meta = readPluginJson(APP_ID);
  await host.page.evaluate(([url, m]) => window.__host.renderApp(url, m, `/a/${m.id}`), [APP_MODULE, meta] as const);
  await expect(host.page.locator('[data-testid="host-view"]')).not.toBeEmpty();
  await host.screenshot('app-root');
  expect(host.missing).toEqual([]);
  expect(host.errors).toEqual([]);
});
