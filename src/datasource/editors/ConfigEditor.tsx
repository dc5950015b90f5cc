import React, { type ChangeEvent } from 'react';
import { css } from '@emotion/css';
import type { DataSourcePluginOptionsEditorProps, GrafanaTheme2 } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import {
  Combobox,
  FieldSet,
  InlineField,
  InlineSwitch,
  Input,
  Text,
  useStyles2,
  type ComboboxOption,
} from '@grafana/ui';
import { DEFAULT_PREFECT_SETTINGS, type PrefectSettings } from '../../catalog/prefectSettings';
import { isValidLabelName } from '../../prometheus/escape';
import { PROMETHEUS_DATASOURCE_TYPES } from '../prometheusTypes';
import { validateSelector } from '../../prometheus/selector';
import type { HistogramKind, MetricOverrides, Unit } from '../../prometheus/types';
import type { PrefectDataSourceOptions } from '../types';

type Props = DataSourcePluginOptionsEditorProps<PrefectDataSourceOptions>;

interface SettingField {
  key: keyof PrefectSettings;
  label: string;
  unit: string;
  tooltip: string;
}

export const SETTING_FIELDS: SettingField[] = [
  {
    key: 'poolTimeoutSeconds',
    label: 'Pool timeout',
    unit: 's',
    tooltip: 'server.database.sqlalchemy.pool_timeout (PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT)',
  },
  {
    key: 'poolSize',
    label: 'Pool size',
    unit: 'connections',
    tooltip: 'server.database.sqlalchemy.pool_size (PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE)',
  },
  {
    key: 'maxOverflow',
    label: 'Max overflow',
    unit: 'connections',
    tooltip: 'server.database.sqlalchemy.max_overflow (PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW)',
  },
  {
    key: 'apiRequestTimeoutSeconds',
    label: 'API request timeout',
    unit: 's',
    tooltip: 'PREFECT_API_REQUEST_TIMEOUT: how long clients wait for the API',
  },
  {
    key: 'uiPatienceSeconds',
    label: 'UI patience',
    unit: 's',
    tooltip: 'How long the UI users wait before a page counts as broken',
  },
  {
    key: 'statementTimeoutSeconds',
    label: 'Statement timeout',
    unit: 's',
    tooltip: 'PREFECT_SERVER_DATABASE_TIMEOUT: the database statement timeout',
  },
];

const UNIT_OPTIONS: Array<ComboboxOption<Unit | ''>> = [
  { label: 'Detect', value: '' },
  { label: 'Seconds', value: 'seconds' },
  { label: 'Milliseconds', value: 'milliseconds' },
];

const KIND_OPTIONS: Array<ComboboxOption<HistogramKind | ''>> = [
  { label: 'Detect', value: '' },
  { label: 'Classic (_bucket)', value: 'classic' },
  { label: 'Native', value: 'native' },
];

const LABEL_FIELDS: Array<{ key: 'routeLabel' | 'methodLabel' | 'statusLabel'; label: string; placeholder: string }> = [
  { key: 'routeLabel', label: 'Route label', placeholder: 'http_route' },
  { key: 'methodLabel', label: 'Method label', placeholder: 'http_request_method' },
  { key: 'statusLabel', label: 'Status label', placeholder: 'http_response_status_code' },
];

// Wide enough for the longest label, "Max overflow (connections)", on one line.
const LABEL_WIDTH = 30;

/** The message for a label-name override, or undefined when it is empty or valid (dotted OTel names allowed). */
export function labelNameError(name: string | undefined): string | undefined {
  if (!name) {
    return undefined;
  }
  return isValidLabelName(name) || /^[a-zA-Z_][a-zA-Z0-9_.]*$/.test(name)
    ? undefined
    : 'Not a Prometheus label name: letters, digits and _ only, not starting with a digit';
}

export function selectorError(selector: string | undefined): string | undefined {
  if (!selector || selector.trim() === '') {
    return undefined;
  }
  try {
    validateSelector(selector);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') {
    return undefined;
  }
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginBottom: theme.spacing(3) }),
});

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const styles = useStyles2(getStyles);
  const jsonData = options.jsonData ?? {};
  const prefect = jsonData.prefect ?? {};
  const overrides = jsonData.overrides ?? {};

  const setJson = (patch: Partial<PrefectDataSourceOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const setSetting = (key: keyof PrefectSettings, text: string) =>
    setJson({ prefect: { ...prefect, [key]: numberOrUndefined(text) } });
  const setOverride = <K extends keyof MetricOverrides>(key: K, value: MetricOverrides[K] | '') =>
    setJson({ overrides: { ...overrides, [key]: value === '' ? undefined : value } });

  const selectorMessage = selectorError(overrides.selector);

  return (
    <div>
      <FieldSet label="Prometheus" className={styles.section}>
        <Text element="p" color="secondary">
          Queries go to Prometheus through this data source&apos;s own backend, so its URL and authentication (also
          SigV4 or Azure for the managed Prometheus types) stay there.
        </Text>
        <InlineField
          label="Prometheus data source"
          labelWidth={LABEL_WIDTH}
          tooltip="The Prometheus that scrapes the Prefect server's API latency histogram"
          invalid={!jsonData.prometheusUid}
          error={jsonData.prometheusUid ? undefined : 'Choose a Prometheus data source'}
        >
          <DataSourcePicker
            type={[...PROMETHEUS_DATASOURCE_TYPES]}
            current={jsonData.prometheusUid ?? null}
            noDefault
            width={40}
            inputId="prefect-prometheus-uid"
            onChange={(ds) => setJson({ prometheusUid: ds.uid })}
          />
        </InlineField>

        <InlineField
          label="Scrape interval (s)"
          labelWidth={LABEL_WIDTH}
          tooltip="How often Prometheus scrapes the Prefect server. Empty: measured from the data. Rate windows cover at least two scrapes."
        >
          <Input
            id="prefect-scrape-interval"
            aria-label="Scrape interval"
            type="number"
            min={0}
            width={16}
            placeholder="measured"
            value={jsonData.scrapeIntervalSeconds ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) => {
              const v = Number(e.currentTarget.value);
              setJson({ scrapeIntervalSeconds: e.currentTarget.value !== '' && v > 0 ? v : undefined });
            }}
          />
        </InlineField>

        <InlineField
          label="Thanos downsampling"
          labelWidth={LABEL_WIDTH}
          tooltip="On when that data source is a Thanos querier and thanos compact downsamples: insight scans of more than about 15 days read the 5-minute blocks (a year: 1-hour) with 10-minute rate windows, several times faster, and each insight says so. Short spikes are flattened there. Off: raw data only."
        >
          <InlineSwitch
            id="prefect-thanos-downsampling"
            aria-label="Thanos downsampling"
            value={jsonData.thanosDownsampling === true}
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              setJson({ thanosDownsampling: e.currentTarget.checked ? true : undefined })
            }
          />
        </InlineField>
      </FieldSet>

      <FieldSet label="Prefect settings" className={styles.section}>
        <Text element="p" color="secondary">
          The thresholds the insights use. Empty fields take Prefect 3&apos;s defaults.
        </Text>
        {SETTING_FIELDS.map((f) => (
          <InlineField key={f.key} label={`${f.label} (${f.unit})`} labelWidth={LABEL_WIDTH} tooltip={f.tooltip}>
            <Input
              id={`prefect-setting-${f.key}`}
              aria-label={f.label}
              type="number"
              min={0}
              width={16}
              placeholder={String(DEFAULT_PREFECT_SETTINGS[f.key])}
              value={prefect[f.key] ?? ''}
              onChange={(e: ChangeEvent<HTMLInputElement>) => setSetting(f.key, e.currentTarget.value)}
            />
          </InlineField>
        ))}
      </FieldSet>

      <FieldSet label="Metric (optional overrides)" className={styles.section}>
        <Text element="p" color="secondary">
          Leave empty to detect the metric, its unit and labels from the data.
        </Text>
        <InlineField label="Metric name" labelWidth={LABEL_WIDTH} tooltip="Base name without _bucket/_sum/_count">
          <Input
            id="prefect-override-metric"
            aria-label="Metric name"
            width={48}
            placeholder="prefect_server_api_request_duration_seconds"
            value={overrides.metric ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) => setOverride('metric', e.currentTarget.value)}
          />
        </InlineField>
        <InlineField label="Unit" labelWidth={LABEL_WIDTH} htmlFor="prefect-override-unit">
          <Combobox
            id="prefect-override-unit"
            width={24}
            options={UNIT_OPTIONS}
            value={overrides.unit ?? ''}
            onChange={(v) => setOverride('unit', v.value)}
          />
        </InlineField>
        <InlineField label="Histogram" labelWidth={LABEL_WIDTH} htmlFor="prefect-override-kind">
          <Combobox
            id="prefect-override-kind"
            width={24}
            options={KIND_OPTIONS}
            value={overrides.kind ?? ''}
            onChange={(v) => setOverride('kind', v.value)}
          />
        </InlineField>
        {LABEL_FIELDS.map((f) => {
          const error = labelNameError(overrides[f.key]);
          return (
            <InlineField key={f.key} label={f.label} labelWidth={LABEL_WIDTH} invalid={!!error} error={error}>
              <Input
                id={`prefect-override-${f.key}`}
                aria-label={f.label}
                width={32}
                placeholder={f.placeholder}
                value={overrides[f.key] ?? ''}
                onChange={(e: ChangeEvent<HTMLInputElement>) => setOverride(f.key, e.currentTarget.value)}
              />
            </InlineField>
          );
        })}
        <InlineField
          label="Series selector"
          labelWidth={LABEL_WIDTH}
          tooltip='Matchers without braces that pick the Prefect server, e.g. service_name="prefect-server"'
          invalid={!!selectorMessage}
          error={selectorMessage}
        >
          <Input
            id="prefect-override-selector"
            aria-label="Series selector"
            width={48}
            placeholder='service_name="prefect-server"'
            value={overrides.selector ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) => setOverride('selector', e.currentTarget.value)}
          />
        </InlineField>
      </FieldSet>
    </div>
  );
}

export default ConfigEditor;
