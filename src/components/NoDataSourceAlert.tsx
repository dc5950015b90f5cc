import React from 'react';
import { Alert, LinkButton, Stack } from '@grafana/ui';
import { DATASOURCE_TYPE } from '../constants';
import { newDataSourceUrl } from '../utils/utils.routing';
import { grafanaHref } from '../utils/href';

/** The call to action when no Prefect insights data source exists: the app's pages need one to read Prometheus. */
export function NoDataSourceAlert() {
  return (
    <Alert severity="info" title="No Prefect API insights data source yet">
      <Stack direction="column" gap={1} alignItems="flex-start">
        <span>
          The insights are read from Prometheus through a data source of type Prefect API insights. Add one, pick the
          Prometheus data source that scrapes your Prefect server, then press Save &amp; test.
        </span>
        <LinkButton icon="plus" href={grafanaHref(newDataSourceUrl(DATASOURCE_TYPE))}>
          Add the data source
        </LinkButton>
      </Stack>
    </Alert>
  );
}
