import React from 'react';
import { Alert, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { CopyableSnippet } from '../../components/CopyableSnippet';
import { useAlertRules } from './useAlertRules';

/** Prometheus alerting rules for the chosen data source's metric, generated from the detectors' thresholds. */
export function AlertRulesSection({ uid, range }: { uid?: string; range: { from: number; to: number } }) {
  const rules = useAlertRules(uid, range);
  return (
    <section aria-labelledby="alert-rules-title">
      <Stack direction="column" gap={1}>
        <Text element="h2" id="alert-rules-title">
          Alerting rules
        </Text>
        <Text element="p" color="secondary">
          Prometheus rules that fire on the same signatures and thresholds as the detectors, for this data source&apos;s
          metric and settings. Save them as a rule file of your Prometheus (rule_files) or load them with mimirtool or
          cortextool; `prefect-insights rules` writes the same file.
        </Text>
        {!uid && <Text color="secondary">Choose a data source to generate its rules.</Text>}
        {rules.loading && <LoadingPlaceholder text="Resolving the metric…" />}
        {rules.error && (
          <Alert severity="error" title="Could not generate the rules">
            {rules.error}
          </Alert>
        )}
        {rules.yaml && <CopyableSnippet label="prefect-insights.rules.yml" text={rules.yaml} />}
      </Stack>
    </section>
  );
}
