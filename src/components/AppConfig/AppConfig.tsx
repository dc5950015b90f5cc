import React from 'react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { LinkButton, Stack, Text, TextLink } from '@grafana/ui';
import { DATASOURCE_TYPE, ROUTES } from '../../constants';
import { newDataSourceUrl, prefixRoute } from '../../utils/utils.routing';
import { grafanaHref } from '../../utils/href';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<{}>> {}

// The app keeps no settings of its own: the Prometheus data source and the Prefect thresholds belong to each
// Prefect API insights data source, so several Prefect servers can be watched side by side.
const AppConfig = (_props: AppConfigProps) => (
  <Stack direction="column" gap={2} alignItems="flex-start">
    <Text element="p">
      This app has nothing to configure here. Its settings live in the Prefect API insights data source: which
      Prometheus data source to read, the Prefect thresholds (pool_timeout, pool size, request timeout, …) and any
      metric or label overrides.
    </Text>
    <LinkButton icon="plus" href={grafanaHref(newDataSourceUrl(DATASOURCE_TYPE))}>
      Add a Prefect API insights data source
    </LinkButton>
    <TextLink href={grafanaHref(prefixRoute(ROUTES.Overview))} inline={false}>
      Open the app
    </TextLink>
  </Stack>
);

export default AppConfig;
