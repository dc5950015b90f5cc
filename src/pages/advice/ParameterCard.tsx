import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import { getParameter } from '../../catalog/catalog';
import { CopyableSnippet } from '../../components/CopyableSnippet';
import { changeSnippets } from './parameterChanges';
import { verdictText, type ParameterVerdict } from './parameterVerdicts';
import type { SettingFacts } from './settingFacts';
import { getCardStyles } from './cardStyles';

interface Props {
  verdict: ParameterVerdict;
  /** false until a scan has answered: the verdict line is then not shown, to avoid a false "no evidence". */
  scanned: boolean;
  highlighted: boolean;
  /** The operator's value from the data source settings and what the data says about it. */
  facts: SettingFacts;
}

export function parameterAnchor(name: string): string {
  return `parameter-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack direction="row" gap={1}>
      <Text color="secondary">{label}:</Text>
      {children}
    </Stack>
  );
}

export function ParameterCard({ verdict, scanned, highlighted, facts }: Props) {
  const card = useStyles2(getCardStyles);
  const styles = useStyles2(getStyles);
  const { parameter } = verdict;
  const detail = getParameter(parameter.name);
  const implicated = verdict.implicatedBy.length > 0;
  return (
    <section
      id={parameterAnchor(parameter.name)}
      aria-label={parameter.name}
      className={cx(card.card, styles.card, highlighted && card.highlighted)}
    >
      <Stack direction="column" gap={1}>
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <Text element="h3" variant="code">
            {parameter.name}
          </Text>
          {scanned &&
            (implicated ? (
              <Badge color="orange" icon="exclamation-triangle" text="implicated" />
            ) : (
              <Badge color="green" icon="check" text="no evidence" />
            ))}
        </Stack>
        <Text element="p">{parameter.description}</Text>
        <Fact label="Recommended">
          <Text weight="bold">{parameter.recommended ?? 'your server’s external URL'}</Text>
          {parameter.note && <Text color="secondary">({parameter.note})</Text>}
        </Fact>
        <Fact label="Prefect 3 default">
          <Text>{detail?.prefectDefault ?? 'unset'}</Text>
        </Fact>
        {facts.configured !== undefined && (
          <Fact label="In the data source settings">
            <Text weight="bold">{facts.configured}</Text>
          </Fact>
        )}
        {scanned && facts.observed && (
          <Text element="p" color="warning">
            {facts.observed}
          </Text>
        )}
        <Fact label={detail?.scope === 'postgresql' ? 'Where' : 'Environment variable'}>
          <Text variant="code">{detail?.setting ?? parameter.name}</Text>
        </Fact>
        {scanned && (
          <Text element="p" color={implicated ? 'warning' : 'success'}>
            {verdictText(verdict)}
          </Text>
        )}
        {verdict.candidates.length > 0 && (
          <Stack direction="row" gap={1} wrap="wrap">
            <Text color="secondary">Named by:</Text>
            {verdict.candidates.map((id) => (
              <TextLink key={id} href={`?insight=${encodeURIComponent(id)}`} inline={false}>
                {id}
              </TextLink>
            ))}
          </Stack>
        )}
        {changeSnippets(parameter).map((s) => (
          <CopyableSnippet key={s.label} label={s.label} text={s.text} />
        ))}
      </Stack>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  card: css({ background: theme.colors.background.secondary }),
});
