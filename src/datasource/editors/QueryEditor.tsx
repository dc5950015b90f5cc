import React, { useState, type ChangeEvent } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import {
  Combobox,
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  MultiCombobox,
  type ComboboxOption,
} from '@grafana/ui';
import type { DataSource } from '../datasource';
import {
  DEFAULT_QUANTILES,
  DEFAULT_SLOW_THRESHOLD_SECONDS,
  DEFAULT_TOP_N,
  QUERY_TYPE_LABELS,
  isScanQueryType,
  type GroupByDimension,
  type PrefectDataSourceOptions,
  type PrefectQuery,
  type QueryType,
} from '../types';
import { InsightFilterFields } from './InsightFilterFields';
import { LabelValuesPicker } from './LabelValuesPicker';
import { editorId, useEditorIdSuffix } from './editorIds';

type Props = QueryEditorProps<DataSource, PrefectQuery, PrefectDataSourceOptions>;

const TYPE_OPTIONS: Array<ComboboxOption<QueryType>> = (Object.keys(QUERY_TYPE_LABELS) as QueryType[]).map((t) => ({
  label: QUERY_TYPE_LABELS[t],
  value: t,
}));

const GROUP_OPTIONS: Array<ComboboxOption<GroupByDimension>> = [
  { label: 'Route', value: 'route' },
  { label: 'Method', value: 'method' },
  { label: 'Status', value: 'status' },
];

const LABEL_WIDTH = 14;

/** Parses "0.5, 0.9, p99, 99.9" into quantiles in (0, 1); returns an error text for anything else. */
export function parseQuantiles(text: string): { quantiles: number[] } | { error: string } {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) {
    return { error: 'Give at least one quantile, e.g. 0.95' };
  }
  const out: number[] = [];
  for (const p of parts) {
    const percent = /^p(\d+(?:\.\d+)?)$/i.exec(p);
    const v = percent ? Number(percent[1]) / 100 : Number(p) > 1 ? Number(p) / 100 : Number(p);
    if (!Number.isFinite(v) || v <= 0 || v >= 1) {
      return { error: `"${p}" is not a quantile between 0 and 1 (or a percentile like p99)` };
    }
    // Percent to fraction must not leak float noise into PromQL (99.9 / 100 = 0.9990000000000001).
    out.push(Number(v.toPrecision(12)));
  }
  return { quantiles: [...new Set(out)] };
}

export function QueryEditor({ query, onChange, onRunQuery, datasource, range }: Props) {
  const idSuffix = useEditorIdSuffix();
  const id = (name: string) => editorId(name, idSuffix);
  const queryType = query.queryType ?? 'quantile';
  const [quantileText, setQuantileText] = useState((query.quantiles ?? [0.95]).join(', '));
  const [quantileError, setQuantileError] = useState<string | undefined>();

  const update = (patch: Partial<PrefectQuery>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };

  const isInsights = isScanQueryType(queryType);
  const hasGroupBy = !isInsights && queryType !== 'heatmap' && queryType !== 'topSlowRoutes';

  return (
    <div>
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={LABEL_WIDTH} htmlFor={id('query-type')}>
          <Combobox
            id={id('query-type')}
            width={32}
            options={TYPE_OPTIONS}
            value={queryType}
            onChange={(v) => update({ queryType: v.value })}
          />
        </InlineField>
        {queryType === 'quantile' && (
          <InlineField
            label="Quantiles"
            labelWidth={LABEL_WIDTH}
            invalid={!!quantileError}
            error={quantileError}
            tooltip={`Comma-separated, e.g. ${DEFAULT_QUANTILES.join(', ')} or p95, p99`}
          >
            <Input
              id={id('quantiles')}
              aria-label="Quantiles"
              width={28}
              value={quantileText}
              onChange={(e: ChangeEvent<HTMLInputElement>) => setQuantileText(e.currentTarget.value)}
              onBlur={() => {
                const parsed = parseQuantiles(quantileText);
                if ('error' in parsed) {
                  setQuantileError(parsed.error);
                  return;
                }
                setQuantileError(undefined);
                update({ quantiles: parsed.quantiles });
              }}
            />
          </InlineField>
        )}
        {queryType === 'slowShare' && (
          <InlineField
            label="At client timeout"
            labelWidth={LABEL_WIDTH + 4}
            tooltip="Count requests slower than PREFECT_API_REQUEST_TIMEOUT as set in this data source's settings"
          >
            <InlineSwitch
              id={id('threshold-from')}
              aria-label="At client timeout"
              value={query.thresholdFrom === 'clientTimeout'}
              onChange={(e) => update({ thresholdFrom: e.currentTarget.checked ? 'clientTimeout' : undefined })}
            />
          </InlineField>
        )}
        {queryType === 'slowShare' && query.thresholdFrom !== 'clientTimeout' && (
          <InlineField label="Slower than (s)" labelWidth={LABEL_WIDTH + 4}>
            <Input
              id={id('threshold')}
              aria-label="Threshold seconds"
              type="number"
              min={0}
              width={12}
              placeholder={String(DEFAULT_SLOW_THRESHOLD_SECONDS)}
              defaultValue={query.thresholdSeconds ?? ''}
              onBlur={(e) => {
                const v = Number(e.currentTarget.value);
                update({ thresholdSeconds: e.currentTarget.value !== '' && v > 0 ? v : undefined });
              }}
            />
          </InlineField>
        )}
        {queryType === 'topSlowRoutes' && (
          <InlineField label="Top N" labelWidth={LABEL_WIDTH}>
            <Input
              id={id('topn')}
              aria-label="Top N"
              type="number"
              min={1}
              width={10}
              placeholder={String(DEFAULT_TOP_N)}
              defaultValue={query.topN ?? ''}
              onBlur={(e) => {
                const v = Math.floor(Number(e.currentTarget.value));
                update({ topN: e.currentTarget.value !== '' && v >= 1 ? v : undefined });
              }}
            />
          </InlineField>
        )}
        {hasGroupBy && (
          <InlineField
            label="Group by"
            labelWidth={LABEL_WIDTH}
            tooltip="Empty: one aggregated series"
            htmlFor={id('group-by')}
          >
            <MultiCombobox
              id={id('group-by')}
              width={32}
              options={GROUP_OPTIONS}
              value={query.groupBy ?? []}
              placeholder="Aggregated"
              onChange={(v) => update({ groupBy: v.map((o) => o.value) })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {isInsights ? (
        <InsightFilterFields query={query} onChange={(q) => update(q)} idSuffix={idSuffix} />
      ) : (
        <InlineFieldRow>
          <InlineField
            label="Routes"
            labelWidth={LABEL_WIDTH}
            tooltip="The routes Prometheus holds, dashboard variables ($route), or any exact value typed in"
            htmlFor={id('routes')}
          >
            <LabelValuesPicker
              id={id('routes')}
              kind="route"
              datasource={datasource}
              range={range}
              placeholder="All routes"
              values={query.routes ?? []}
              onChange={(routes) => update({ routes })}
            />
          </InlineField>
          <InlineField label="Methods" labelWidth={LABEL_WIDTH} htmlFor={id('methods')}>
            <LabelValuesPicker
              id={id('methods')}
              kind="method"
              datasource={datasource}
              range={range}
              placeholder="All methods"
              values={query.methods ?? []}
              onChange={(methods) => update({ methods })}
            />
          </InlineField>
          <InlineField label="Statuses" labelWidth={LABEL_WIDTH} htmlFor={id('statuses')}>
            <LabelValuesPicker
              id={id('statuses')}
              kind="status"
              datasource={datasource}
              range={range}
              placeholder="All statuses"
              values={query.statuses ?? []}
              onChange={(statuses) => update({ statuses })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </div>
  );
}

export default QueryEditor;
