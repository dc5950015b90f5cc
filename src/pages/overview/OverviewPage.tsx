import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Card, LinkButton, Stack, Text, TextLink } from '@grafana/ui';
import { DETECTABLE_INSIGHT_IDS, INSIGHTS } from '../../catalog/catalog';
import { NoDataSourceAlert } from '../../components/NoDataSourceAlert';
import { useInsightDataSources } from '../../components/useInsightDataSources';
import { ROUTES } from '../../constants';
import { OVERVIEW_DASHBOARD_URL, prefixRoute } from '../../utils/utils.routing';

function DataSourceList() {
  const dataSources = useInsightDataSources();
  if (dataSources.length === 0) {
    return <NoDataSourceAlert />;
  }
  return (
    <Stack direction="column" gap={1}>
      <Text element="h3">Data sources</Text>
      {dataSources.map((ds) => (
        <Stack key={ds.uid} direction="row" gap={1} alignItems="center">
          <TextLink href={`/connections/datasources/edit/${encodeURIComponent(ds.uid)}`} inline={false}>
            {ds.name}
          </TextLink>
          {ds.isDefault && <Text color="secondary">(default)</Text>}
        </Stack>
      ))}
    </Stack>
  );
}

function OverviewPage() {
  return (
    <PluginPage>
      <Stack direction="column" gap={3}>
        <Text element="p">
          Prefect API insights reads the Prefect server&apos;s request-latency histogram from your Prometheus, finds the{' '}
          {DETECTABLE_INSIGHT_IDS.length} known incident patterns that show in it (of the {INSIGHTS.length} in the
          catalogue), and marks them as regions on your dashboards with the settings to check, the log lines to search
          for and the commands to run.
        </Text>
        <DataSourceList />
        <Stack direction="row" gap={2} wrap="wrap">
          <Card href={OVERVIEW_DASHBOARD_URL}>
            <Card.Heading>Prefect API overview dashboard</Card.Heading>
            <Card.Description>
              p95 by route, request rate, 5xx ratio, a latency heatmap and the detected insights as shaded regions.
            </Card.Description>
          </Card>
          <Card href={prefixRoute(ROUTES.Advice)}>
            <Card.Heading>Configuration advice</Card.Heading>
            <Card.Description>
              The six Prefect and PostgreSQL settings behind these incidents, held against what your data shows, with
              the exact change to copy.
            </Card.Description>
          </Card>
          <Card href={prefixRoute(ROUTES.Insights)}>
            <Card.Heading>Insights catalogue</Card.Heading>
            <Card.Description>
              Every known insight: what it looks like in the metric, its error signatures, commands and references.
            </Card.Description>
          </Card>
        </Stack>
        <Stack direction="row" gap={1}>
          <LinkButton icon="apps" variant="primary" href={OVERVIEW_DASHBOARD_URL}>
            Open the dashboard
          </LinkButton>
          <LinkButton icon="cog" variant="secondary" href={prefixRoute(ROUTES.Advice)}>
            Check my settings
          </LinkButton>
        </Stack>
      </Stack>
    </PluginPage>
  );
}

export default OverviewPage;
