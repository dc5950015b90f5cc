import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { useSearchParams } from 'react-router-dom';
import { dateTimeFormat, type GrafanaTheme2, type RawTimeRange } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Card, Field, LinkButton, Stack, Text, TextLink, TimeRangeInput, useStyles2 } from '@grafana/ui';
import { DETECTABLE_INSIGHT_IDS, INSIGHTS } from '../../catalog/catalog';
import { DataSourceField } from '../../components/DataSourceField';
import { NoDataSourceAlert } from '../../components/NoDataSourceAlert';
import { SeverityBadge } from '../../components/SeverityBadge';
import { useInsightDataSources } from '../../components/useInsightDataSources';
import { ROUTES } from '../../constants';
import {
  OVERVIEW_DASHBOARD_URL,
  ROUTES_DASHBOARD_URL,
  TIMELINE_DASHBOARD_URL,
  adviceUrl,
  prefixRoute,
} from '../../utils/utils.routing';
import { ScanStatus } from '../advice/ScanStatus';
import { useInsightScan } from '../advice/useInsightScan';
import { DEFAULT_RAW_RANGE, rangeParams, rawRangeFromParams, resolveRange } from './overviewRange';
import { statusRows, type StatusRow } from './statusRows';
import { grafanaHref } from '../../utils/href';

const STATUS_TEXT: Record<StatusRow['status'], string> = {
  firing: 'Firing now',
  seen: 'Seen in range',
  'no data': 'No data',
  clear: 'Clear',
};

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({
    display: 'grid',
    gridTemplateColumns: `${theme.spacing(14)} ${theme.spacing(12)} 1fr auto`,
    alignItems: 'center',
    gap: theme.spacing(2),
    padding: theme.spacing(1, 2),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  firing: css({ background: theme.colors.error.transparent }),
});

/** The href of a Grafana path with these query parameters (under Grafana's sub-path, if any). */
function withParams(url: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
  ).toString();
  return grafanaHref(query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url);
}

function StatusList({ rows, links }: { rows: StatusRow[]; links: Record<string, string | undefined> }) {
  const styles = useStyles2(getStyles);
  return (
    <div role="list" aria-label="Insight status">
      {rows.map((row) => (
        <div
          key={row.id}
          role="listitem"
          aria-label={`${row.title}: ${STATUS_TEXT[row.status]}`}
          className={row.status === 'firing' ? `${styles.row} ${styles.firing}` : styles.row}
        >
          <Text
            weight={row.status === 'firing' || row.status === 'seen' ? 'bold' : 'regular'}
            color={row.status === 'firing' || row.status === 'seen' ? 'primary' : 'secondary'}
          >
            {STATUS_TEXT[row.status]}
          </Text>
          <SeverityBadge severity={row.severity} />
          <Stack direction="column" gap={0}>
            <Text>{row.title}</Text>
            {(row.status === 'firing' || row.status === 'seen') && (
              <Text color="secondary" variant="bodySmall">
                {row.episodes} episode{row.episodes === 1 ? '' : 's'}
                {row.lastSeen !== undefined ? `, last ${dateTimeFormat(row.lastSeen)}` : ''}
              </Text>
            )}
          </Stack>
          {row.status === 'firing' || row.status === 'seen' ? (
            <Stack direction="row" gap={1}>
              <LinkButton size="sm" variant="secondary" icon="book" href={withParams(adviceUrl(row.id), links)}>
                Advice
              </LinkButton>
              <LinkButton
                size="sm"
                variant="secondary"
                icon="apps"
                href={withParams(TIMELINE_DASHBOARD_URL, {
                  from: links.from,
                  to: links.to,
                  'var-datasource': links.datasource,
                })}
              >
                Timeline
              </LinkButton>
            </Stack>
          ) : (
            <span />
          )}
        </div>
      ))}
    </div>
  );
}

function OverviewPage() {
  const [params, setParams] = useSearchParams();
  const { list: dataSources, uid } = useInsightDataSources(params.get('datasource'));

  const raw: RawTimeRange = rawRangeFromParams(params.get('from'), params.get('to'));
  const [runId, setRunId] = useState(0);
  // "now" is fixed until the range changes or the user refreshes, so a relative range does not move every render.
  const [nowMs, setNowMs] = useState(() => Date.now());
  const range = resolveRange(raw, nowMs);
  // An unreadable range scans nothing; the picker shows the default instead.
  const shown = range ?? resolveRange(DEFAULT_RAW_RANGE, nowMs)!;
  const scan = useInsightScan(range ? uid : undefined, shown, runId);
  const rows = useMemo(() => (scan.detected ? statusRows(scan.detected) : []), [scan.detected]);
  const firing = rows.filter((r) => r.status === 'firing');
  const seen = rows.filter((r) => r.status === 'seen');

  const setRange = (next: RawTimeRange) => {
    const p = new URLSearchParams(params);
    const { from, to } = rangeParams(next);
    p.set('from', from);
    p.set('to', to);
    setNowMs(Date.now());
    setParams(p, { replace: true });
  };
  const setDataSource = (value: string) => {
    const p = new URLSearchParams(params);
    p.set('datasource', value);
    setParams(p, { replace: true });
  };

  const linkParams = {
    datasource: uid,
    from: range ? String(range.from.valueOf()) : undefined,
    to: range ? String(range.to.valueOf()) : undefined,
  };
  const dashboardLink = (url: string) =>
    withParams(url, { from: linkParams.from, to: linkParams.to, 'var-datasource': uid });

  return (
    <PluginPage>
      <Stack direction="column" gap={3}>
        <Text element="p">
          What the {DETECTABLE_INSIGHT_IDS.length} detectable insights (of the {INSIGHTS.length} in the catalogue) show
          in your Prefect server&apos;s API latency: firing now, seen in the range, or clear.
        </Text>
        {dataSources.length === 0 ? (
          <NoDataSourceAlert />
        ) : (
          <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
            <DataSourceField id="overview-datasource" dataSources={dataSources} value={uid} onChange={setDataSource} />
            <Field label="Time range" noMargin>
              <TimeRangeInput value={shown} onChange={(r) => setRange(r.raw)} hideTimeZone />
            </Field>
            <Button
              icon="sync"
              variant="secondary"
              disabled={scan.loading}
              onClick={() => {
                setNowMs(Date.now());
                setRunId((n) => n + 1);
              }}
            >
              Refresh
            </Button>
            {uid && (
              <TextLink href={grafanaHref(`/connections/datasources/edit/${encodeURIComponent(uid)}`)} inline={false}>
                Data source settings
              </TextLink>
            )}
          </Stack>
        )}

        {dataSources.length > 0 && !range && (
          <Alert severity="warning" title="This time range cannot be read">
            {`"${String(raw.from)}" to "${String(raw.to)}" is not a range: pick another one.`}
          </Alert>
        )}
        <ScanStatus scan={scan} />
        {scan.error && (
          <Alert severity="error" title="The insight scan failed">
            {scan.error}
          </Alert>
        )}
        {scan.detected && !scan.loading && !scan.error && rows.length === 0 && (
          <Alert severity="info" title="The data source returned no insight status">
            The scan ran but answered nothing to show. Check the data source with Save &amp; test.
          </Alert>
        )}
        {scan.detected && !scan.loading && rows.length > 0 && (
          <Stack direction="column" gap={1}>
            <Text element="h2">
              {firing.length > 0
                ? `${firing.length} firing now${seen.length > 0 ? `, ${seen.length} more seen in the range` : ''}`
                : seen.length > 0
                  ? `Nothing firing now; ${seen.length} seen in the range`
                  : scan.noData
                    ? `No data: ${scan.noData}`
                    : 'All clear in this range'}
            </Text>
            <StatusList rows={rows} links={linkParams} />
          </Stack>
        )}

        <Stack direction="row" gap={2} wrap="wrap">
          <Card href={dashboardLink(OVERVIEW_DASHBOARD_URL)}>
            <Card.Heading>Prefect API overview</Card.Heading>
            <Card.Description>
              p50/p95/p99, request rate, 5xx ratio, a latency heatmap and the insights as shaded regions.
            </Card.Description>
          </Card>
          <Card href={dashboardLink(ROUTES_DASHBOARD_URL)}>
            <Card.Heading>Route drill-down</Card.Heading>
            <Card.Description>
              The same signals per route, with each route&apos;s share of time and status mix.
            </Card.Description>
          </Card>
          <Card href={dashboardLink(TIMELINE_DASHBOARD_URL)}>
            <Card.Heading>Insights timeline</Card.Heading>
            <Card.Description>Every episode in the range with its severity and evidence.</Card.Description>
          </Card>
          <Card href={grafanaHref(prefixRoute(ROUTES.Advice))}>
            <Card.Heading>Configuration advice</Card.Heading>
            <Card.Description>
              The six settings behind these incidents, held against what your data shows.
            </Card.Description>
          </Card>
          <Card href={grafanaHref(prefixRoute(ROUTES.Insights))}>
            <Card.Heading>Insights catalogue</Card.Heading>
            <Card.Description>Every known insight: signatures, commands and references.</Card.Description>
          </Card>
        </Stack>
      </Stack>
    </PluginPage>
  );
}

export default OverviewPage;
