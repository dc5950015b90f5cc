import React from 'react';
import type { DataSourceInstanceSettings } from '@grafana/data';
import { Combobox, Field } from '@grafana/ui';

interface Props {
  id: string;
  dataSources: DataSourceInstanceSettings[];
  value: string | undefined;
  onChange: (uid: string) => void;
}

/** The data-source choice at the top of the app's pages (overview, advice): same label, width and options. */
export function DataSourceField({ id, dataSources, value, onChange }: Props) {
  return (
    <Field label="Data source" noMargin>
      <Combobox
        id={id}
        width={32}
        options={dataSources.map((d) => ({ label: d.name, value: d.uid }))}
        value={value}
        onChange={(v) => onChange(v.value)}
      />
    </Field>
  );
}
