import React, { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { dateTimeFormat } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Field, RadioButtonGroup, Stack, Text } from '@grafana/ui';
import { CATALOG, INSIGHTS, isInsightId } from '../../catalog/catalog';
import type { Insight } from '../../catalog/types';
import { DataSourceField } from '../../components/DataSourceField';
import { NoDataSourceAlert } from '../../components/NoDataSourceAlert';
import { useInsightDataSources } from '../../components/useInsightDataSources';
import { prefectSettingsOf } from '../../datasource/types';
import { AlertRulesSection } from './AlertRulesSection';
import { InsightAdviceCard, insightAnchor } from './InsightAdviceCard';
import { LogSearchesSection } from './LogSearchesSection';
import { ParameterCard } from './ParameterCard';
import { judgeParameters } from './parameterVerdicts';
import { ScanStatus } from './ScanStatus';
import { settingFacts } from './settingFacts';
import {
  DEFAULT_PRESET,
  RANGE_PRESETS,
  absoluteRange,
  isRangePreset,
  presetRange,
  type RangePreset,
} from './timeRangePresets';
import { useInsightScan } from './useInsightScan';

function AdvicePage() {
  const [params, setParams] = useSearchParams();
  const { list: dataSources, uid } = useInsightDataSources(params.get('datasource'));
  const focus = params.get('insight');
  const focusId = focus && isInsightId(focus) ? focus : undefined;

  const absolute = absoluteRange(params.get('from'), params.get('to'));
  const presetParam = params.get('range');
  const preset: RangePreset = isRangePreset(presetParam) ? presetParam : DEFAULT_PRESET;
  const [runId, setRunId] = useState(0);
  // "now" is fixed until the user changes the range or runs again, so the range does not move on every render.
  const [nowMs, setNowMs] = useState(() => Date.now());
  const range = absolute ?? presetRange(preset, nowMs);

  const selected = dataSources.find((d) => d.uid === uid);
  // The values the operator typed into this data source; the scan's thresholds come from the same settings.
  const configured = useMemo(() => prefectSettingsOf(selected?.jsonData ?? {}), [selected]);
  const scan = useInsightScan(uid, range, runId);
  // A range without data was not scanned in any sense that counts: no card may read "no evidence".
  const scanned = Boolean(scan.detected) && !scan.loading && !scan.noData;
  const detected = useMemo(() => scan.detected ?? [], [scan.detected]);
  const verdicts = useMemo(() => judgeParameters(CATALOG.parameters, INSIGHTS, detected), [detected]);
  // The insight an annotation or table link came from is shown first, and the settings it names are highlighted.
  const focused = focusId ? INSIGHTS.find((i) => i.id === focusId) : undefined;
  const focusParameters = new Set(focused?.parameters ?? []);
  const insightCard = (insight: Insight) => (
    <InsightAdviceCard
      key={insight.id}
      insight={insight}
      detected={detected.find((d) => d.id === insight.id)}
      episodes={(scan.episodes ?? []).filter((e) => e.id === insight.id)}
      scanned={scanned}
      highlighted={insight.id === focusId}
    />
  );

  useEffect(() => {
    if (focusId) {
      document.getElementById(insightAnchor(focusId))?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
    }
  }, [focusId]);

  const setParam = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value === undefined) {
      next.delete(key);
    } else {
      next.set(key, value);
    }
    if (key === 'range') {
      setNowMs(Date.now());
      next.delete('from');
      next.delete('to');
    }
    setParams(next, { replace: true });
  };

  const seen = detected.filter((d) => d.status === 'firing' || d.status === 'seen' || d.episodes > 0);

  return (
    <PluginPage>
      <Stack direction="column" gap={3}>
        <Text element="p">
          The six settings behind the catalogued incidents, each held against the insights detected in the chosen range,
          with the exact change to copy.
        </Text>
        {dataSources.length === 0 ? (
          <NoDataSourceAlert />
        ) : (
          <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
            <DataSourceField
              id="advice-datasource"
              dataSources={dataSources}
              value={uid}
              onChange={(v) => setParam('datasource', v)}
            />
            <Field label="Time range" noMargin>
              {absolute ? (
                <Stack direction="row" gap={1} alignItems="center">
                  <Text>
                    {dateTimeFormat(range.from)} – {dateTimeFormat(range.to)}
                  </Text>
                  <Button variant="secondary" size="sm" onClick={() => setParam('range', preset)}>
                    Use a preset
                  </Button>
                </Stack>
              ) : (
                <RadioButtonGroup
                  options={RANGE_PRESETS.map((p) => ({ label: p.label, value: p.value }))}
                  value={preset}
                  onChange={(v) => setParam('range', v)}
                />
              )}
            </Field>
            <Button
              icon="sync"
              variant="secondary"
              onClick={() => {
                setNowMs(Date.now());
                setRunId((n) => n + 1);
              }}
              disabled={scan.loading}
            >
              Run again
            </Button>
          </Stack>
        )}

        <ScanStatus scan={scan} />
        {scan.error && (
          <Alert severity="error" title="The insight scan failed">
            {scan.error}
          </Alert>
        )}
        {scanned && (
          <Text element="p">
            {seen.length === 0
              ? 'No insight detected in this range.'
              : `${seen.length} insight${seen.length === 1 ? '' : 's'} detected in this range: ${seen
                  .map((d) => d.id)
                  .join(', ')}.`}
          </Text>
        )}

        {focused && (
          <Stack direction="column" gap={2}>
            <Text element="h2">Selected insight</Text>
            {insightCard(focused)}
          </Stack>
        )}

        <Stack direction="column" gap={2}>
          <Text element="h2">Settings</Text>
          {verdicts.map((v) => (
            <ParameterCard
              key={v.parameter.name}
              verdict={v}
              scanned={scanned}
              highlighted={focusParameters.has(v.parameter.name)}
              facts={settingFacts(v.parameter.name, configured, scan.episodes ?? [])}
            />
          ))}
        </Stack>

        <Stack direction="column" gap={2}>
          <Text element="h2">By insight</Text>
          {INSIGHTS.filter((i) => i.id !== focusId).map(insightCard)}
        </Stack>

        <LogSearchesSection window={{ from: range.from.valueOf(), to: range.to.valueOf() }} />
        <AlertRulesSection uid={uid} range={{ from: range.from.valueOf(), to: range.to.valueOf() }} />
      </Stack>
    </PluginPage>
  );
}

export default AdvicePage;
