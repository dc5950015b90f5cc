// A bundled dashboard drawn as Grafana draws it, for the browser tests: the data come from the dashboard's scene
// (host/sceneDashboard.ts: variables, query runners, transformations and annotation layers are @grafana/scenes'),
// the panel's field config is applied with @grafana/data's applyFieldOverrides (interpolating through the scene, so
// data links are Grafana's), and the results are drawn in Grafana's own components where @grafana/ui has them
// (PanelChrome, TimeSeries; annotation regions by the host's uPlot hook in host/annotationRegions.tsx, since Grafana's
// own lives in its core). Grafana's heatmap and state-timeline panels live in Grafana itself, not in @grafana/ui, so
// those two are drawn here as plain cell grids from the same frames (marked "host stand-in" in the panel).
import React from 'react';
import {
  applyFieldOverrides,
  dateTime,
  FieldColorModeId,
  fieldMatchers,
  standardTransformers,
  standardTransformersRegistry,
  type DataFrame,
  type DisplayValue,
  type FieldConfigSource,
  type PanelData,
} from '@grafana/data';
import { config } from '@grafana/runtime';
import { PanelChrome, TimeSeries, useTheme2 } from '@grafana/ui';
import { LegendDisplayMode } from '@grafana/schema';
import { AnnotationRegions } from './annotationRegions';
import { interpolatorFor, type DashboardJson as SceneDashboardJson, type LoadedDashboard } from './sceneDashboard';
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

export interface DashboardJson extends SceneDashboardJson {
  panels: PanelJson[];
}

type PanelJson = SceneDashboardJson['panels'][number] & { fieldConfig?: FieldConfigSource };

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
  /** The targets as the data source received them (Scenes' request). */
  targets: Array<Record<string, unknown>>;
  /** Every data link of every row, as Grafana's link supplier builds it (href, after interpolation). */
  links: string[];
  /** The annotation layers' frames Scenes merged into the panel's data (`data.annotations`). */
  annotations: DataFrame[];
}

/** Grafana registers its standard transformers at start-up (public/app/features/transformers/standardTransformers.ts). */
let transformersReady = false;
export function ensureTransformers() {
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
 * and is empty outside it: defaults fill what the data source left unset, then overrides set their properties on the
 * fields their matcher (Grafana's own, from @grafana/data's registry: `byName` compares display names) selects.
 */
function withFieldConfig(frames: DataFrame[], source: FieldConfigSource): DataFrame[] {
  const matchers = source.overrides.map((o) => fieldMatchers.get(o.matcher.id).get(o.matcher.options));
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
      for (const [i, override] of source.overrides.entries()) {
        if (matchers[i](field, frame, frames)) {
          for (const property of override.properties) {
            setPath(config, property.id, property.value);
          }
        }
      }
      return { ...field, config };
    }),
  }));
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

/** The drawing width of a panel (Grafana's panels report theirs to the query runner). */
export function panelWidth(panel: { gridPos: { w: number } }): number {
  return Math.round(panel.gridPos.w * COLUMN - GAP);
}

/** What each panel of the scene got, with the panel's field config applied as Grafana's panels apply it. */
export function panelRuns(dashboard: DashboardJson, loaded: LoadedDashboard, data: Map<number, PanelData>): PanelRun[] {
  ensureTransformers();
  return dashboard.panels.map((panel) => {
    const result = data.get(panel.id);
    const provider = loaded.panels.get(panel.id)!.data;
    const targets = (result?.request?.targets ?? []) as unknown as Array<Record<string, unknown>>;
    const run: PanelRun = {
      id: panel.id,
      title: panel.title,
      type: panel.type,
      frames: [],
      valueCount: 0,
      targets: JSON.parse(JSON.stringify(targets)),
      datasourceUid: (targets[0]?.datasource as { uid?: string } | undefined)?.uid,
      links: [],
      annotations: result?.annotations ?? [],
    };
    const errors = [...(result?.errors ?? []), ...(result?.error && !result.errors ? [result.error] : [])];
    if (!result || errors.length > 0) {
      run.error = result ? errors.map((e) => e.message ?? JSON.stringify(e)).join('; ') : 'no result';
      return run;
    }
    run.frames = applyFieldOverrides({
      data: withFieldConfig(result.series, withPanelDefaults(panel)),
      fieldConfig: withPanelDefaults(panel),
      replaceVariables: interpolatorFor(provider) as never,
      theme: config.theme2,
      timeZone: 'utc',
    });
    run.valueCount = countValues(run.frames);
    for (const frame of run.frames) {
      for (const field of frame.fields) {
        if (!field.getLinks || !field.config.links?.length) {
          continue;
        }
        for (let i = 0; i < frame.length; i++) {
          run.links.push(...field.getLinks({ valueRowIndex: i }).map((l) => l.href));
        }
      }
    }
    return run;
  });
}

const CELL = 30;
const GAP = 8;
/** The dashboard's width: with the grid's 24 columns, wide enough that every table column shows (PICTURE_VIEWPORT). */
const WIDTH = 1440;
const LABEL_FONT = '11px sans-serif';

let measure: CanvasRenderingContext2D | null = null;
function textWidth(text: string): number {
  measure ??= document.createElement('canvas').getContext('2d');
  if (!measure) {
    return text.length * 6.5;
  }
  measure.font = LABEL_FONT;
  return measure.measureText(text).width;
}
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
  const labels = rows.map((f) => f.config.displayNameFromDS ?? f.name);
  // Grafana's state timeline sizes its label axis to the longest row name; the heatmap's bucket labels are short.
  const labelWidth =
    kind === 'state-timeline' ? Math.min(width / 2, Math.ceil(Math.max(...labels.map(textWidth)) * 1.1) + 16) : 60;
  const h = (height - 16) / rows.length;
  const w = (width - labelWidth) / n;
  return (
    <svg width={width} height={height - 16} role="img" aria-label={`${kind} (host stand-in)`}>
      {rows.map((field, r) => {
        const values = Array.from(field.values as ArrayLike<number>);
        const label = labels[r];
        return (
          <g key={field.name}>
            <text
              x={labelWidth - 6}
              y={r * h + h / 2 + 4}
              textAnchor="end"
              fontSize={11}
              fontFamily="sans-serif"
              fill={theme.colors.text.secondary}
            >
              {label}
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
 * formats and value mappings, as applyFieldOverrides set them up), hidden fields left out. Every column stays inside
 * the panel, as in Grafana's table: a field's `custom.width` is kept, the other columns share the rest of the width
 * equally, and a cell too long for its column ends in an ellipsis (its full text in the cell's title).
 */
function TableStandIn({ frame, width, height }: { frame?: DataFrame; width: number; height: number }) {
  const theme = useTheme2();
  if (!frame || frame.length === 0) {
    return <div>No data</div>;
  }
  const fields = frame.fields.filter((f) => !f.config.custom?.hidden);
  const fixed = (f: (typeof fields)[number]) => Number(f.config.custom?.width) || 0;
  const fixedTotal = fields.reduce((sum, f) => sum + fixed(f), 0);
  const flexible = fields.filter((f) => !fixed(f)).length;
  const share = flexible > 0 ? Math.max(0, width - fixedTotal) / flexible : 0;
  const cell = {
    padding: theme.spacing(0.5, 1),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    whiteSpace: 'nowrap' as const,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  };
  return (
    <div style={{ width, height, overflow: 'hidden', fontSize: 12 }} aria-label="table (host stand-in)">
      <table style={{ borderCollapse: 'collapse', tableLayout: 'fixed', width: '100%' }}>
        <colgroup>
          {fields.map((f) => (
            <col key={f.name} style={{ width: fixed(f) || share }} />
          ))}
        </colgroup>
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
                  <td key={f.name} title={text} style={{ ...cell, color: shown.color ?? theme.colors.text.primary }}>
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
      >
        {(config) => <AnnotationRegions config={config} annotations={run.annotations} />}
      </TimeSeries>
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
