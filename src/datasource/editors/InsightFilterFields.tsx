import React from 'react';
import { Combobox, InlineField, InlineFieldRow, MultiCombobox, TagsInput, type ComboboxOption } from '@grafana/ui';
import { DETECTABLE_INSIGHT_IDS, getInsight } from '../../catalog/catalog';
import type { DetectableInsightId, Severity } from '../../catalog/types';
import type { PrefectQuery } from '../types';
import { editorId, useEditorIdSuffix } from './editorIds';

const INSIGHT_OPTIONS: Array<ComboboxOption<DetectableInsightId>> = DETECTABLE_INSIGHT_IDS.map((id) => ({
  label: getInsight(id).title,
  value: id,
  description: id,
}));

const SEVERITY_OPTIONS: Array<ComboboxOption<Severity>> = [
  { label: 'Info and above', value: 'info' },
  { label: 'Warning and above', value: 'warning' },
  { label: 'Critical only', value: 'critical' },
];

const LABEL_WIDTH = 14;

interface Props {
  query: PrefectQuery;
  onChange: (patch: Partial<PrefectQuery>) => void;
  /** Makes the element ids unique to one editor (the query editor passes its own). */
  idSuffix?: string;
}

/** Which insights, minimum severity and routes: shared by the 'insights' query type and the annotation editor. */
export function InsightFilterFields({ query, onChange, idSuffix }: Props) {
  const own = useEditorIdSuffix();
  const id = (name: string) => editorId(name, idSuffix ?? own);
  return (
    <InlineFieldRow>
      <InlineField
        label="Insights"
        labelWidth={LABEL_WIDTH}
        tooltip="Empty: every detectable insight"
        htmlFor={id('insights')}
      >
        <MultiCombobox
          id={id('insights')}
          width={48}
          options={INSIGHT_OPTIONS}
          value={query.insights ?? []}
          placeholder="All insights"
          onChange={(v) => onChange({ insights: v.map((o) => o.value) })}
        />
      </InlineField>
      <InlineField label="Severity" labelWidth={LABEL_WIDTH} htmlFor={id('min-severity')}>
        <Combobox
          id={id('min-severity')}
          width={24}
          options={SEVERITY_OPTIONS}
          value={query.minSeverity ?? 'info'}
          onChange={(v) => onChange({ minSeverity: v.value })}
        />
      </InlineField>
      <InlineField label="Routes" labelWidth={LABEL_WIDTH} tooltip="Exact values or template variables ($route)">
        <TagsInput
          id={id('insight-routes')}
          placeholder="All routes"
          tags={query.routes ?? []}
          onChange={(routes) => onChange({ routes })}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
