import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineField, Input, Text } from '@grafana/ui';
import type { DataSource } from '../datasource';
import { annotationTarget } from '../annotations';
import { DEFAULT_MAX_ANNOTATIONS, type PrefectDataSourceOptions, type PrefectQuery } from '../types';
import { InsightFilterFields } from './InsightFilterFields';

type Props = QueryEditorProps<DataSource, PrefectQuery, PrefectDataSourceOptions>;

/** Grafana hands the annotation's target as `query`; changes go back through `onChange`. */
export function AnnotationEditor({ query, onChange }: Props) {
  const target = annotationTarget(query);
  return (
    <div>
      <Text element="p" color="secondary">
        Each detected insight episode becomes a shaded region with its evidence and the advice to act on it.
      </Text>
      <InsightFilterFields query={target} onChange={(patch) => onChange({ ...target, ...patch })} />
      <InlineField
        label="Max regions"
        labelWidth={14}
        tooltip="More episodes are merged, then the least severe dropped"
      >
        <Input
          id="prefect-max-annotations"
          aria-label="Max regions"
          type="number"
          min={1}
          width={12}
          defaultValue={target.maxAnnotations ?? DEFAULT_MAX_ANNOTATIONS}
          onBlur={(e) => {
            const v = Math.floor(Number(e.currentTarget.value));
            onChange({ ...target, maxAnnotations: v >= 1 ? v : DEFAULT_MAX_ANNOTATIONS });
          }}
        />
      </InlineField>
    </div>
  );
}

export default AnnotationEditor;
