import React from 'react';
import { css, cx } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Badge, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import type { Insight } from '../../catalog/types';
import { SeverityBadge } from '../../components/SeverityBadge';
import { catalogueUrl } from '../../utils/utils.routing';
import { parameterAnchor } from './ParameterCard';
import type { DetectedInsight } from './parameterVerdicts';
import type { EpisodeRow } from './readInsightFrames';
import { getCardStyles } from './cardStyles';
import { grafanaHref } from '../../utils/href';

interface Props {
  insight: Insight;
  detected?: DetectedInsight;
  episodes: EpisodeRow[];
  scanned: boolean;
  highlighted: boolean;
}

export function insightAnchor(id: string): string {
  return `advice-${id}`;
}

function StatusBadge({ detected, scanned }: { detected?: DetectedInsight; scanned: boolean }) {
  if (!scanned) {
    return null;
  }
  if (detected?.status === 'firing') {
    return <Badge color="red" icon="fire" text="firing now" />;
  }
  if (detected && (detected.status === 'seen' || detected.episodes > 0)) {
    return <Badge color="orange" icon="history" text={`seen ${Math.max(detected.episodes, 1)}× in range`} />;
  }
  return <Badge color="green" icon="check" text="clear in range" />;
}

export function InsightAdviceCard({ insight, detected, episodes, scanned, highlighted }: Props) {
  const card = useStyles2(getCardStyles);
  const styles = useStyles2(getStyles);
  return (
    <section
      id={insightAnchor(insight.id)}
      aria-label={insight.title}
      aria-current={highlighted ? 'true' : undefined}
      className={cx(card.card, highlighted && card.highlighted, highlighted && styles.highlighted)}
    >
      <Stack direction="column" gap={1}>
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <Text element="h3">{insight.title}</Text>
          <SeverityBadge severity={insight.severity} />
          {insight.detectable ? (
            <StatusBadge detected={detected} scanned={scanned} />
          ) : (
            <Badge color="darkgrey" text="not detectable from latency" />
          )}
        </Stack>
        <Text element="p" color="secondary">
          {insight.signature}
        </Text>
        <Stack direction="row" gap={1} wrap="wrap">
          <Text>Settings to check:</Text>
          {insight.parameters.map((p) => (
            <TextLink key={p} href={`#${parameterAnchor(p)}`} inline={false}>
              {p}
            </TextLink>
          ))}
        </Stack>
        {episodes.length > 0 && (
          <ul className={styles.episodes} aria-label={`Episodes of ${insight.id}`}>
            {episodes.map((e) => (
              <li key={`${e.start}-${e.end}`}>
                <Text variant="bodySmall">
                  {dateTimeFormat(e.start)} – {dateTimeFormat(e.end)}: {e.summary}
                  {e.routes.length > 0 ? ` (${e.routes.join(', ')})` : ''}
                </Text>
              </li>
            ))}
          </ul>
        )}
        <TextLink href={grafanaHref(catalogueUrl(insight.id))} inline={false} icon="book">
          Error signatures and commands
        </TextLink>
      </Stack>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  highlighted: css({ background: theme.colors.primary.transparent }),
  episodes: css({ margin: 0, paddingLeft: theme.spacing(2) }),
});
