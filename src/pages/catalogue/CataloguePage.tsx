import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Badge, Stack, TagList, Text, TextLink, useStyles2 } from '@grafana/ui';
import { INSIGHTS, getCommand, getErrorSignature } from '../../catalog/catalog';
import type { Insight } from '../../catalog/types';
import { logSearchFor } from '../../catalog/logSearches';
import { CopyableSnippet } from '../../components/CopyableSnippet';
import { LogSearchBlock } from '../../components/LogSearchBlock';
import { useLokiDataSources } from '../../components/useLokiDataSources';
import { SeverityBadge } from '../../components/SeverityBadge';
import { adviceUrl } from '../../utils/utils.routing';
import { grafanaHref } from '../../utils/href';

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Stack direction="column" gap={0.5}>
      <Text element="h4" variant="bodySmall" weight="bold">
        {title}
      </Text>
      {children}
    </Stack>
  );
}

/** Explore links on the catalogue cover the last 6 hours (no episode to point at here). */
const CATALOGUE_LOG_WINDOW_MS = 6 * 3_600_000;

function InsightEntry({ insight, lokiUid, nowMs }: { insight: Insight; lokiUid?: string; nowMs: number }) {
  const styles = useStyles2(getStyles);
  const logSearch = logSearchFor(insight.id);
  return (
    <section id={`insight-${insight.id}`} className={styles.entry} aria-labelledby={`insight-title-${insight.id}`}>
      <Stack direction="column" gap={1.5}>
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <Text element="h3" id={`insight-title-${insight.id}`}>
            {insight.title}
          </Text>
          <SeverityBadge severity={insight.severity} />
          {insight.detectable ? (
            <Badge color="green" icon="check" text="detected from the metric" />
          ) : (
            <Badge color="darkgrey" icon="eye-slash" text="catalogue only: not visible in API latency" />
          )}
        </Stack>
        <Text color="secondary" variant="code">
          {insight.id}
        </Text>
        <Section title="Signature">
          <Text element="p">{insight.signature}</Text>
        </Section>
        {insight.parameters.length > 0 && (
          <Section title="Settings to check">
            <Stack direction="row" gap={2} wrap="wrap">
              {insight.parameters.map((p) => (
                <Text key={p} variant="code">
                  {p}
                </Text>
              ))}
              <TextLink href={grafanaHref(adviceUrl(insight.id))} inline={false} icon="arrow-right">
                Advice for this insight
              </TextLink>
            </Stack>
          </Section>
        )}
        {insight.errorSignatures.length > 0 && (
          <Section title="Error signatures (search your logs for)">
            <ul className={styles.list}>
              {insight.errorSignatures.map((s) => (
                <li key={s}>
                  <Text variant="code">{s}</Text>{' '}
                  <Text color="secondary" variant="bodySmall">
                    {getErrorSignature(s)?.kind ?? ''}
                  </Text>
                </li>
              ))}
            </ul>
            {logSearch && (
              <LogSearchBlock
                search={logSearch}
                lokiUid={lokiUid}
                window={{ from: nowMs - CATALOGUE_LOG_WINDOW_MS, to: nowMs }}
              />
            )}
          </Section>
        )}
        {insight.commands.length > 0 && (
          <Section title="Commands">
            {insight.commands.map((c) => (
              <CopyableSnippet key={c} label={getCommand(c)?.kind ?? 'command'} text={c} />
            ))}
          </Section>
        )}
        {insight.references.length > 0 && (
          <Section title="References">
            <TagList tags={insight.references} />
          </Section>
        )}
      </Stack>
    </section>
  );
}

function CataloguePage() {
  const detectable = INSIGHTS.filter((i) => i.detectable).length;
  const loki = useLokiDataSources()[0];
  const [nowMs] = React.useState(() => Date.now());
  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <Text element="p">
          {INSIGHTS.length} insights, {detectable} of them detected from the Prefect API latency metric; the others are
          listed for diagnosis only.
        </Text>
        {INSIGHTS.map((insight) => (
          <InsightEntry key={insight.id} insight={insight} lokiUid={loki?.uid} nowMs={nowMs} />
        ))}
      </Stack>
    </PluginPage>
  );
}

export default CataloguePage;

const getStyles = (theme: GrafanaTheme2) => ({
  entry: css({
    padding: theme.spacing(2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    scrollMarginTop: theme.spacing(8),
  }),
  list: css({ margin: 0, paddingLeft: theme.spacing(2) }),
});
