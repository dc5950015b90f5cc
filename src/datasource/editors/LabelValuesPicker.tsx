// Route, method and status pickers fed by the data source's own label values (its `routes()`, `methods()`,
// `statuses()` variable queries), offering the dashboard's variables too; any typed value (a regex-free exact value
// or `$variable`) is still accepted.
import React, { useEffect, useMemo, useState } from 'react';
import type { TimeRange } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { MultiCombobox, type ComboboxOption } from '@grafana/ui';

export type LabelKind = 'route' | 'method' | 'status';

/** The variable query that lists each kind's values (datasource.ts VARIABLE_QUERIES). */
const VARIABLE_QUERY: Record<LabelKind, string> = { route: 'routes()', method: 'methods()', status: 'statuses()' };

export interface LabelValuesSource {
  metricFindQuery(query: string, options?: { range?: TimeRange }): Promise<Array<{ text: string; value?: unknown }>>;
}

function dashboardVariables(): string[] {
  try {
    return getTemplateSrv()
      .getVariables()
      .map((v) => `$${v.name}`);
  } catch {
    return [];
  }
}

/** The values Prometheus holds for this label on the resolved metric, then the dashboard's variables. */
export function useLabelValueOptions(
  datasource: LabelValuesSource | undefined,
  kind: LabelKind,
  range?: TimeRange
): { options: string[]; loading: boolean } {
  const [values, setValues] = useState<{ kind: LabelKind; list: string[] } | undefined>();
  const from = range?.from.valueOf();
  const to = range?.to.valueOf();
  useEffect(() => {
    let current = true;
    if (!datasource || typeof datasource.metricFindQuery !== 'function') {
      return;
    }
    datasource.metricFindQuery(VARIABLE_QUERY[kind], range ? { range } : undefined).then(
      (found) => current && setValues({ kind, list: found.map((f) => String(f.value ?? f.text)) }),
      // No values (no Prometheus yet, metric not found): the picker still takes typed values and variables.
      () => current && setValues({ kind, list: [] })
    );
    return () => {
      current = false;
    };
    // The range object changes identity on every render; its bounds are what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datasource, kind, from, to]);
  const variables = useMemo(() => dashboardVariables(), []);
  const loaded = values?.kind === kind ? values.list : [];
  return { options: [...new Set([...loaded, ...variables])], loading: values?.kind !== kind };
}

interface PickerProps {
  id: string;
  kind: LabelKind;
  datasource?: LabelValuesSource;
  range?: TimeRange;
  values: string[];
  placeholder: string;
  onChange(values: string[]): void;
}

export function LabelValuesPicker({ id, kind, datasource, range, values, placeholder, onChange }: PickerProps) {
  const { options, loading } = useLabelValueOptions(datasource, kind, range);
  // Chosen values stay listed (a variable of another dashboard, a route gone from the range).
  const all: Array<ComboboxOption<string>> = [...new Set([...values, ...options])].map((v) => ({ label: v, value: v }));
  return (
    <MultiCombobox
      id={id}
      width={40}
      options={all}
      value={values}
      placeholder={placeholder}
      loading={loading && Boolean(datasource)}
      createCustomValue
      isClearable
      onChange={(picked) => onChange(picked.map((o) => String(o.value)))}
    />
  );
}
