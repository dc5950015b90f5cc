// A bundled dashboard as a Grafana dashboard would run it, for the browser tests: its query variables are refreshed
// through the data source (metricFindQuery), every panel's targets go through the built data source in one request
// per panel (as Grafana's PanelQueryRunner does), the panel's transformations run through @grafana/data's
// transformDataFrame, and the results are drawn in Grafana's own components where @grafana/ui has them (PanelChrome,
// TimeSeries, Table). Grafana's heatmap and state-timeline panels live in Grafana itself, not in @grafana/ui, so
// those two are drawn here as plain cell grids from the same frames (marked "host stand-in" in the panel).
import React from 'react';
import { lastValueFrom, isObservable, type Observable } from 'rxjs';
import {
  applyFieldOverrides,
  dateTime,
  FieldColorModeId,
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type DataTransformerConfig,
  type DisplayValue,
  type FieldConfigSource,
} from '@grafana/data';
import { config, getDataSourceSrv, getTemplateSrv } from '@grafana/runtime';
import { PanelChrome, TimeSeries, useTheme2 } from '@grafana/ui';
import { LegendDisplayMode } from '@grafana/schema';
import { variables } from './services';
// Grafana's frontend build bundles uPlot's stylesheet; without it the plot's canvas and overlay layers stack.
import uplotCss from 'uplot/dist/uPlot.min.css';

let stylesInjected = false;
function injectStyles() {
  if (stylesInjected) {
    return;
  }
  for (const css of [uplotCss]) {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);
  }
  stylesInjected = true;
}

export interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
}

interface PanelJson {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid?: string; type?: string };
  targets?: Array<Record<string, unknown>>;
  fieldConfig?: FieldConfigSource;
  transformations?: DataTransformerConfig[];
}

export interface PanelRun {
  id: number;
  title: string;
  type: string;
  /** The data source the panel's `${datasource}` resolved to. */
  datasourceUid?: string;
  frames: DataFrame[];
  /** Fields with at least one finite number (or, for tables, rows). */
  valueCount: number;
  error?: string;
}

/** Grafana registers its standard transformers at start-up (public/app/features/transformers/standardTransformers.ts). */
let transformersReady = false;
function ensureTransformers() {
  if (transformersReady) {
    return;
  }
  // @grafana/data lists some transformers twice (under an old and a new name); the registry refuses duplicate keys.
  const byId = new Map(Object.values(standardTransformers).map((t) => [t.id, t]));
  standardTransformersRegistry.setInit(() =>
    [...byId.values()].map((t) => ({
      id: t.id,
      aliasIds: t.aliasIds?.filter((a) => !byId.has(a)),
      name: t.name,
      description: t.description,
      transformation: t,
      editor: () => null,
      imageDark: '',
      imageLight: '',
    }))
  );
  transformersReady = true;
}

/**
 * The field defaults Grafana's panel plugins add before a dashboard's own (the time-series panel's colour scheme is
 * palette-classic; a table's text cells keep the theme colour).
 */
function withPanelDefaults(panel: PanelJson): FieldConfigSource {
  const own = panel.fieldConfig ?? { defaults: {}, overrides: [] };
  const color = panel.type === 'timeseries' ? { mode: FieldColorModeId.PaletteClassic } : undefined;
  return { ...own, defaults: { ...(color ? { color } : {}), ...own.defaults } };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split('.');
  let at = target;
  for (const k of keys.slice(0, -1)) {
    at = (at[k] ??= {}) as Record<string, unknown>;
  }
  at[keys[keys.length - 1]] = value;
}

/**
 * The panel's field config on each field, as Grafana's setFieldConfigDefaults and override processing do with the
 * standard field-config registry, which lives in Grafana's core (public/app/features/panel/.../standardFieldConfig)
 * and is empty outside it: defaults fill what the data source left unset, then `byName` overrides set their
 * properties. Other matcher kinds are not used by the bundled dashboards.
 */
function withFieldConfig(frames: DataFrame[], source: FieldConfigSource): DataFrame[] {
  return frames.map((frame) => ({
    ...frame,
    fields: frame.fields.map((field) => {
      // Copies per field: an override must not reach the other fields through a shared `custom` object.
      const config: Record<string, unknown> = structuredClone({ ...field.config });
      for (const [key, value] of Object.entries(structuredClone(source.defaults))) {
        if (config[key] === undefined) {
          config[key] = value;
        } else if (key === 'custom' && typeof value === 'object') {
          config.custom = { ...(value as object), ...(config.custom as object) };
        }
      }
      for (const override of source.overrides) {
        if (override.matcher.id === 'byName' && override.matcher.options === field.name) {
          for (const property of override.properties) {
            setPath(config, property.id, property.value);
          }
        }
      }
      return { ...field, config };
    }),
  }));
}

async function toResponse(result: Observable<DataQueryResponse> | Promise<DataQueryResponse>) {
  return isObservable(result) ? lastValueFrom(result) : result;
}

function countValues(frames: DataFrame[]): number {
  let n = 0;
  for (const frame of frames) {
    for (const field of frame.fields) {
      if (field.type === 'number' && Array.from(field.values as ArrayLike<unknown>).some((v) => Number.isFinite(v))) {
        n++;
      } else if (field.type === 'string' && frame.length > 0) {
        n++;
      }
    }
  }
  return n;
}

/** Refreshes the dashboard's query variables: all values, or the `pick` given for a variable. */
export async function refreshVariables(
  dashboard: DashboardJson,
  datasourceUid: string,
  pick: Record<string, string[]>,
  fromMs: number,
  toMs: number
): Promise<Record<string, string[]>> {
  // Grafana refreshes query variables for the dashboard's time range (refresh: 2, "on time range change").
  const range = { from: dateTime(fromMs), to: dateTime(toMs), raw: { from: dateTime(fromMs), to: dateTime(toMs) } };
  variables.datasource = datasourceUid;
  const out: Record<string, string[]> = {};
  for (const v of dashboard.templating.list) {
    if (v.type !== 'query') {
      continue;
    }
    const ds = await getDataSourceSrv().get(datasourceUid);
    const found = await ds.metricFindQuery!(v.query as string, { range });
    const values = found.map((f) => String(f.value ?? f.text));
    out[v.name] = pick[v.name] ? values.filter((x) => pick[v.name].includes(x)) : values;
    variables[v.name] = out[v.name];
  }
  return out;
}

export async function runPanels(dashboard: DashboardJson, fromMs: number, toMs: number): Promise<PanelRun[]> {
  ensureTransformers();
  const range = { from: dateTime(fromMs), to: dateTime(toMs), raw: { from: dateTime(fromMs), to: dateTime(toMs) } };
  const runs: PanelRun[] = [];
  for (const panel of dashboard.panels) {
    const run: PanelRun = { id: panel.id, title: panel.title, type: panel.type, frames: [], valueCount: 0 };
    runs.push(run);
    try {
      // Grafana resolves the panel's data source reference through the template variables.
      const uid = getTemplateSrv().replace(panel.datasource?.uid ?? '');
      run.datasourceUid = uid;
      const ds: DataSourceApi = await getDataSourceSrv().get({ uid, type: panel.datasource?.type });
      const width = (panel.gridPos.w / 24) * WIDTH;
      const maxDataPoints = Math.max(100, Math.round(width));
      const intervalMs = Math.max(1000, Math.floor((toMs - fromMs) / maxDataPoints));
      const request = {
        requestId: `panel-${panel.id}`,
        interval: `${Math.round(intervalMs / 1000)}s`,
        intervalMs,
        maxDataPoints,
        range,
        rangeRaw: range.raw,
        scopedVars: {},
        targets: (panel.targets ?? []).map((t) => ({ ...t, datasource: { uid: ds.uid, type: ds.type } })),
        timezone: 'utc',
        app: 'dashboard',
        startTime: Date.now(),
      } as unknown as DataQueryRequest;
      const response = await toResponse(ds.query(request));
      const errors = [response.error, ...(response.errors ?? [])].filter(Boolean);
      if (errors.length > 0) {
        run.error = errors.map((e) => e?.message ?? JSON.stringify(e)).join('; ');
        continue;
      }
      const transformed = panel.transformations?.length
        ? await lastValueFrom(transformDataFrame(panel.transformations, response.data as DataFrame[]))
        : (response.data as DataFrame[]);
      run.frames = applyFieldOverrides({
        data: withFieldConfig(transformed, withPanelDefaults(panel)),
        fieldConfig: withPanelDefaults(panel),
        replaceVariables: (s: string) => getTemplateSrv().replace(s),
        theme: config.theme2,
        timeZone: 'utc',
      });
      run.valueCount = countValues(run.frames);
    } catch (e) {
      run.error = e instanceof Error ? e.message : String(e);
    }
  }
  return runs;
}

const CELL = 30;
const GAP = 8;
const WIDTH = 1000;
const COLUMN = (WIDTH + GAP) / 24;

/** Heatmap and state timeline: Grafana's panels are not in @grafana/ui; a cell grid from the same frame instead. */
function CellGrid({
  frames,
  width,
  height,
  kind,
}: {
  frames: DataFrame[];
  width: number;
  height: number;
  kind: string;
}) {
  const theme = useTheme2();
  const frame = frames[0];
  const rows = frame ? frame.fields.filter((f) => f.type === 'number') : [];
  const n = frame?.length ?? 0;
  if (rows.length === 0 || n === 0) {
    return <div>No data</div>;
  }
  const max = Math.max(1e-9, ...rows.flatMap((f) => Array.from(f.values as ArrayLike<number>).filter(Number.isFinite)));
  const labelWidth = kind === 'state-timeline' ? 190 : 60;
  const h = (height - 16) / rows.length;
  const w = (width - labelWidth) / n;
  return (
    <svg width={width} height={height - 16} role="img" aria-label={`${kind} (host stand-in)`}>
      {rows.map((field, r) => {
        const values = Array.from(field.values as ArrayLike<number>);
        const label = field.config.displayNameFromDS ?? field.name;
        return (
          <g key={field.name}>
            <text
              x={labelWidth - 6}
              y={r * h + h / 2 + 4}
              textAnchor="end"
              fontSize={11}
              fill={theme.colors.text.secondary}
            >
              {label.length > 30 ? `${label.slice(0, 29)}…` : label}
            </text>
            {values.map((v, i) => {
              if (!Number.isFinite(v)) {
                return null;
              }
              const color =
                kind === 'state-timeline'
                  ? theme.visualization.getColorByName(field.display?.(v).color ?? 'green')
                  : theme.visualization.getColorByName('orange');
              const opacity = kind === 'state-timeline' ? 0.85 : Math.sqrt(v / max);
              return (
                <rect
                  key={i}
                  x={labelWidth + i * w}
                  y={r * h + 1}
                  width={w + 0.5}
                  height={h - 2}
                  fill={color}
                  fillOpacity={opacity}
                />
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}

/**
 * Tables: Grafana 12.4's table panel draws with TableNG on react-data-grid, whose layered stylesheet did not lay out
 * in this host (rows present, nothing painted), and the legacy react-table `Table` export crashed on the insight
 * frames now and then. The cells here are the frame's values through Grafana's own display processor (units, time
 * formats and value mappings, as applyFieldOverrides set them up), hidden fields left out.
 */
function TableStandIn({ frame, width, height }: { frame?: DataFrame; width: number; height: number }) {
  const theme = useTheme2();
  if (!frame || frame.length === 0) {
    return <div>No data</div>;
  }
  const fields = frame.fields.filter((f) => !f.config.custom?.hidden);
  const cell = {
    padding: theme.spacing(0.5, 1),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    whiteSpace: 'nowrap' as const,
  };
  return (
    <div style={{ width, height, overflow: 'hidden', fontSize: 12 }} aria-label="table (host stand-in)">
      <table style={{ borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <tr>
            {fields.map((f) => (
              <th key={f.name} style={{ ...cell, textAlign: 'left', color: theme.colors.text.secondary }}>
                {f.config.displayName ?? f.config.displayNameFromDS ?? f.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: frame.length }, (_, i) => (
            <tr key={i}>
              {fields.map((f) => {
                const shown: DisplayValue = f.display
                  ? f.display(f.values[i])
                  : { text: String(f.values[i] ?? ''), numeric: NaN };
                const text = `${shown.prefix ?? ''}${shown.text}${shown.suffix ?? ''}`;
                return (
                  <td
                    key={f.name}
                    style={{
                      ...cell,
                      color: shown.color ?? theme.colors.text.primary,
                      maxWidth: 420,
                      overflow: 'hidden',
                      textOverflow: 'ellipsis',
                    }}
                  >
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PanelBody({
  run,
  width,
  height,
  fromMs,
  toMs,
}: {
  run: PanelRun;
  width: number;
  height: number;
  fromMs: number;
  toMs: number;
}) {
  if (run.error) {
    return null;
  }
  if (run.type === 'timeseries') {
    const timeRange = {
      from: dateTime(fromMs),
      to: dateTime(toMs),
      raw: { from: dateTime(fromMs), to: dateTime(toMs) },
    };
    return (
      <TimeSeries
        frames={run.frames}
        width={width}
        height={height}
        timeRange={timeRange}
        timeZone="utc"
        legend={{ showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }}
      />
    );
  }
  if (run.type === 'table') {
    return <TableStandIn frame={run.frames[0]} width={width} height={height} />;
  }
  return <CellGrid frames={run.frames} width={width} height={height} kind={run.type} />;
}

export function DashboardView({
  dashboard,
  runs,
  fromMs,
  toMs,
}: {
  dashboard: DashboardJson;
  runs: PanelRun[];
  fromMs: number;
  toMs: number;
}) {
  injectStyles();
  const rows = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
  return (
    <div>
      <h2 style={{ margin: '0 0 8px' }}>{dashboard.title}</h2>
      <div style={{ position: 'relative', width: WIDTH, height: rows * (CELL + GAP) }}>
        {dashboard.panels.map((panel) => {
          const run = runs.find((r) => r.id === panel.id)!;
          const width = panel.gridPos.w * COLUMN - GAP;
          const height = panel.gridPos.h * (CELL + GAP) - GAP;
          return (
            <div
              key={panel.id}
              data-testid={`panel-${panel.id}`}
              data-panel-error={run.error ?? ''}
              style={{ position: 'absolute', left: panel.gridPos.x * COLUMN, top: panel.gridPos.y * (CELL + GAP) }}
            >
              <PanelChrome title={panel.title} width={width} height={height} statusMessage={run.error}>
                {(innerWidth, innerHeight) => (
                  <PanelBody run={run} width={innerWidth} height={innerHeight} fromMs={fromMs} toMs={toMs} />
                )}
              </PanelChrome>
            </div>
          );
        })}
      </div>
    </div>
  );
}
