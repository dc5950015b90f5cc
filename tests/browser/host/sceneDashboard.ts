// A bundled dashboard JSON as Grafana 12 runs it: turned into @grafana/scenes objects the way Grafana's
// transformSaveModelToScene does (public/app/features/dashboard-scene/serialization/transformSaveModelToScene.ts):
// variables as DataSourceVariable / QueryVariable / CustomVariable, each panel's targets in a SceneQueryRunner (its
// transformations in a SceneDataTransformer), the dashboard's annotation list as Scenes' annotations data layers.
// Variables refresh, interpolation ("All", custom all values, formats, `$__interval`), query running and the
// processing of annotation frames are then Scenes' own code. The drawing stays with host/dashboard.tsx.
import {
  LoadingState,
  type AnnotationQuery,
  type DataFrame,
  type DataTransformerConfig,
  type PanelData,
} from '@grafana/data';
import {
  CustomVariable,
  DataSourceVariable,
  EmbeddedScene,
  QueryVariable,
  SceneDataLayerSet,
  SceneDataTransformer,
  SceneFlexItem,
  SceneFlexLayout,
  SceneQueryRunner,
  SceneTimeRange,
  SceneVariableSet,
  dataLayers,
  sceneGraph,
  type SceneDataProvider,
  type SceneVariable,
} from '@grafana/scenes';
import { firstValueFrom, filter } from 'rxjs';

export interface VariableJson {
  name: string;
  type: string;
  label?: string;
  query?: unknown;
  definition?: string;
  datasource?: { type?: string; uid?: string } | null;
  includeAll?: boolean;
  multi?: boolean;
  allValue?: string | null;
  regex?: string;
  refresh?: number;
  sort?: number;
  current?: { text?: string | string[]; value?: string | string[] };
}

export interface PanelJson {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid?: string; type?: string };
  targets?: Array<Record<string, unknown>>;
  transformations?: DataTransformerConfig[];
  maxDataPoints?: number;
}

export interface AnnotationJson extends AnnotationQuery {
  builtIn?: number;
}

export interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: VariableJson[] };
  annotations?: { list: AnnotationJson[] };
}

export interface LoadedDashboard {
  scene: EmbeddedScene;
  variables: SceneVariableSet;
  /** Per panel id: the query runner, and what the panel reads (the transformer when it has transformations). */
  panels: Map<number, { runner: SceneQueryRunner; data: SceneDataProvider }>;
  annotationLayers: dataLayers.AnnotationsDataLayer[];
}

/** A selection per variable name: values, or ['$__all']. */
export type Selection = Record<string, string[]>;

function variableFrom(v: VariableJson, picked?: string[]): SceneVariable {
  const value = picked ?? v.current?.value ?? (v.multi ? [] : '');
  const text = picked ?? v.current?.text ?? value;
  const common = {
    name: v.name,
    label: v.label,
    value,
    text,
    isMulti: !!v.multi,
    includeAll: !!v.includeAll,
    // Grafana's save model writes `allValue: null` for none.
    allValue: v.allValue ?? undefined,
  };
  switch (v.type) {
    case 'datasource':
      return new DataSourceVariable({ ...common, pluginId: String(v.query ?? ''), regex: v.regex ?? '' });
    case 'query':
      return new QueryVariable({
        ...common,
        datasource: v.datasource ?? null,
        query: (v.query ?? '') as string,
        definition: v.definition,
        regex: v.regex ?? '',
        refresh: (v.refresh ?? 1) as never,
        sort: (v.sort ?? 0) as never,
      });
    case 'custom':
      return new CustomVariable({ ...common, query: String(v.query ?? '') });
    default:
      throw new Error(`host: dashboard variable type "${v.type}" is not loaded by this host`);
  }
}

/**
 * Builds the scene. `widthOf` gives each panel's drawing width: Grafana's panels hand it to their query runner
 * (setContainerWidth) and it decides maxDataPoints, hence `$__interval`.
 */
export function loadDashboard(
  json: DashboardJson,
  fromMs: number,
  toMs: number,
  selection: Selection,
  widthOf: (panel: PanelJson) => number
): LoadedDashboard {
  const variables = new SceneVariableSet({
    variables: json.templating.list.map((v) => variableFrom(v, selection[v.name])),
  });
  // The built-in "Annotations & Alerts" layer reads Grafana's own annotation store (/api/annotations): there is
  // none here, and it is not the plugin's.
  const annotationLayers = (json.annotations?.list ?? [])
    .filter((a) => !a.builtIn)
    .map(
      (a) =>
        new dataLayers.AnnotationsDataLayer({
          name: a.name,
          query: a,
          isEnabled: a.enable,
          isHidden: a.hide,
        })
    );
  const panels = new Map<number, { runner: SceneQueryRunner; data: SceneDataProvider }>();
  const items = json.panels.map((panel) => {
    const runner = new SceneQueryRunner({
      datasource: panel.datasource,
      queries: (panel.targets ?? []) as never,
      maxDataPointsFromWidth: true,
      maxDataPoints: panel.maxDataPoints,
    });
    runner.setContainerWidth(widthOf(panel));
    const data: SceneDataProvider = panel.transformations?.length
      ? new SceneDataTransformer({ $data: runner, transformations: panel.transformations })
      : runner;
    panels.set(panel.id, { runner, data });
    return new SceneFlexItem({ $data: data, body: new SceneFlexLayout({ children: [] }) });
  });
  const scene = new EmbeddedScene({
    $timeRange: new SceneTimeRange({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      timeZone: 'utc',
    }),
    $variables: variables,
    $data: new SceneDataLayerSet({ layers: annotationLayers }),
    body: new SceneFlexLayout({ children: items }),
  });
  return { scene, variables, panels, annotationLayers };
}

function finished(data: PanelData | undefined): boolean {
  return !!data && (data.state === LoadingState.Done || data.state === LoadingState.Error);
}

/** A query runner's answer to a request it sent (its first state is Done without one). */
function answered(data: PanelData | undefined): boolean {
  return finished(data) && !!data!.request;
}

async function waitFor(
  provider: SceneDataProvider,
  timeoutMs: number,
  what: string,
  settled: (data: PanelData | undefined) => boolean
): Promise<PanelData> {
  if (settled(provider.state.data)) {
    return provider.state.data!;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`host: ${what} did not finish in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const state = await Promise.race([
      firstValueFrom(provider.getResultsStream().pipe(filter((r) => settled(r.data)))),
      timeout,
    ]);
    return state.data;
  } finally {
    clearTimeout(timer);
  }
}

export interface SceneRun {
  /** Each variable's value after Scenes refreshed it ('$__all' for All). */
  values: Record<string, string[]>;
  /** Each variable's options after the refresh. */
  options: Record<string, string[]>;
  /** Per panel id: what the panel got (after its transformations). */
  panelData: Map<number, PanelData>;
  /** Per annotation layer name: the frames Scenes' annotation processing made of the data source's answer. */
  annotations: Record<string, DataFrame[]>;
  /** Undoes the activation (stops subscriptions, clears the active scene). */
  deactivate: () => void;
}

/**
 * Activates the scene the way rendering it would (the dashboard first, then every panel), publishes it as Grafana's
 * active dashboard scene, and waits until every panel and annotation layer has its answer.
 */
export async function runScene(loaded: LoadedDashboard, timeoutMs = 45_000): Promise<SceneRun> {
  const undo: Array<() => void> = [];
  window.__grafanaSceneContext = loaded.scene;
  undo.push(loaded.scene.activate());
  const layout = loaded.scene.state.body;
  undo.push(layout.activate());
  for (const item of (layout as SceneFlexLayout).state.children) {
    undo.push(item.activate());
  }
  const panelData = new Map<number, PanelData>();
  for (const [id, { data }] of loaded.panels) {
    panelData.set(id, await waitFor(data, timeoutMs, `panel ${id}`, answered));
  }
  const annotations: Record<string, DataFrame[]> = {};
  for (const layer of loaded.annotationLayers) {
    if (layer.state.isEnabled) {
      annotations[layer.state.name] = (
        await waitFor(layer, timeoutMs, `annotation layer ${layer.state.name}`, finished)
      ).series;
    }
  }
  // The query runners merge the layers' events into their panel's `data.annotations` when the layers answer, which
  // may be after the panel's own answer: read each panel's data again now that every layer has answered.
  for (const [id, { data }] of loaded.panels) {
    panelData.set(id, data.state.data ?? panelData.get(id)!);
  }
  const values: Record<string, string[]> = {};
  const options: Record<string, string[]> = {};
  for (const v of loaded.variables.state.variables) {
    const state = v.state as { value?: unknown; options?: Array<{ value: unknown }> };
    values[v.state.name] = ([] as unknown[]).concat(state.value ?? []).map(String);
    options[v.state.name] = (state.options ?? []).map((o) => String(o.value));
  }
  return {
    values,
    options,
    panelData,
    annotations,
    deactivate: () => {
      for (const fn of undo.reverse()) {
        fn();
      }
      if (window.__grafanaSceneContext === loaded.scene) {
        window.__grafanaSceneContext = undefined;
      }
    },
  };
}

/** The interpolation a panel of this scene uses (VizPanel's interpolate: sceneGraph.interpolate from the panel). */
export function interpolatorFor(provider: SceneDataProvider) {
  return (value: string, scopedVars?: Record<string, unknown>, format?: string | Function) =>
    sceneGraph.interpolate(provider, value, scopedVars as never, format as never);
}
