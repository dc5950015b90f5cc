// The provisioned data source reaches the provisioned Prometheus and finds the simulator's metric.
import { test, expect } from './fixtures';

test('"Save & test" succeeds on the provisioned data source', async ({
  readProvisionedDataSource,
  gotoDataSourceConfigPage,
}) => {
  const ds = await readProvisionedDataSource({
    fileName: 'datasources.yaml',
    name: 'Prefect API insights (simulator)',
  });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success');
});

test('Save & test reaches Prometheus through its data source resource route, never the legacy data proxy', async ({
  page,
  readProvisionedDataSource,
  gotoDataSourceConfigPage,
}) => {
  const ds = await readProvisionedDataSource({
    fileName: 'datasources.yaml',
    name: 'Prefect API insights (simulator)',
  });
  const paths: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/api/datasources/')) {
      paths.push(path);
    }
  });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await expect(configPage.saveAndTest()).toBeOK();
  expect(paths.some((p) => p.startsWith('/api/datasources/uid/prometheus/resources/api/v1/'))).toBe(true);
  expect(paths.filter((p) => p.startsWith('/api/datasources/proxy/'))).toEqual([]);
});
