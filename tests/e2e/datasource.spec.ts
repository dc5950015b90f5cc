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
