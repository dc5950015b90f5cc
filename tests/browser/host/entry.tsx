// The host page's own code: it plays the part of Grafana's frontend for the built plugin. It registers the shared
// modules into SystemJS, provides the runtime services, imports `module.js` files the way Grafana does, and renders
// the plugin's components on request from the Playwright tests (window.__host).
import React from 'react';
import { createRoot } from 'react-dom/client';
import { Router, Route, Routes } from 'react-router-dom';
import { Observable, lastValueFrom, isObservable } from 'rxjs';
import {
  type AppPlugin,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePlugin,
  type DataSourcePluginMeta,
  type DataSourceSettings,
  AppPlugin as AppPluginClass,
  CoreApp,
  DataSourcePlugin as DataSourcePluginClass,
  FieldType,
  ThemeContext,
  dateTime,
  locationUtil,
} from '@grafana/data';
import { config, locationService } from '@grafana/runtime';
import { GlobalStyles, PortalContainer } from '@grafana/ui';
import { SHARED_MODULES } from './externals';
import { installServices, registry, requestLog } from './services';
import { AnnotationTooltipBody } from './annotationTooltip';
import { HeroView, type HeroProps } from './hero';
import { DashboardView, ensureTransformers, panelRuns, panelWidth, type DashboardJson } from './dashboard';
import { loadDashboard, runScene, type SceneRun, type Selection } from './sceneDashboard';

interface SystemJsLoader {
  set(id: string, module: object): void;
  import(id: string): Promise<Record<string, unknown>>;
  addImportMap(map: { imports: Record<string, string> }): void;
}

declare global {
  interface Window {
    System: SystemJsLoader;
    __host: typeof host;
  }
}

function registerSharedModules(): void {
  const imports: Record<string, string> = {};
  for (const [name, namespace] of Object.entries(SHARED_MODULES)) {
    const id = `host:${name}`;
    imports[name] = id;
    const asEsModule = { ...namespace, __esModule: true };
    // AMD dependencies receive `default` when `__useDefault` is set (systemjs extras/amd.js), i.e. the object above.
    window.System.set(id, { __useDefault: true, default: asEsModule });
  }
  window.System.addImportMap({ imports });
}

/** Plain, serialisable view of a frame for assertions on the Node side. */
export interface FrameView {
  name?: string;
  refId?: string;
  meta?: unknown;
  length: number;
  fields: Array<{
    name: string;
    type: string;
    labels?: Record<string, string>;
    displayName?: string;
    unit?: string;
    values: unknown[];
  }>;
}

function viewFrame(frame: DataFrame): FrameView {
  return {
    name: frame.name,
    refId: frame.refId,
    meta: frame.meta ? JSON.parse(JSON.stringify(frame.meta)) : undefined,
    length: frame.length,
    fields: frame.fields.map((f) => ({
      name: f.name,
      type: f.type,
      labels: f.labels,
      displayName: f.config?.displayName ?? f.config?.displayNameFromDS,
      unit: f.config?.unit,
      values: Array.from(f.values as ArrayLike<unknown>),
    })),
  };
}

export interface AnnotationEventView {
  time?: number;
  timeEnd?: number;
  title?: string;
  text?: string;
  tags?: string[];
  color?: string;
  isRegion?: boolean;
  [key: string]: unknown;
}

/** Grafana's default mapping of annotation frames to events (fields named time, timeEnd, title, text, tags). */
function framesToEvents(frames: DataFrame[]): AnnotationEventView[] {
  const events: AnnotationEventView[] = [];
  for (const frame of frames) {
    const byName = new Map(frame.fields.map((f) => [f.name, f]));
    const time = byName.get('time') ?? frame.fields.find((f) => f.type === FieldType.time);
    for (let i = 0; i < frame.length; i++) {
      const event: AnnotationEventView = {};
      for (const field of frame.fields) {
        event[field.name] = field.values[i];
      }
      event.time = time?.values[i];
      const tags = byName.get('tags')?.values[i];
      event.tags = typeof tags === 'string' ? tags.split(',').map((t) => t.trim()) : (tags as string[] | undefined);
      event.isRegion = event.timeEnd !== undefined && event.timeEnd !== null && event.timeEnd !== event.time;
      events.push(event);
    }
  }
  return events;
}

/** A frame's rows as plain objects (an annotation frame from Scenes has one row per event). */
function frameRows(frame: DataFrame): AnnotationEventView[] {
  const rows: AnnotationEventView[] = [];
  for (let i = 0; i < frame.length; i++) {
    const row: AnnotationEventView = {};
    for (const field of frame.fields) {
      row[field.name] = field.values[i];
    }
    rows.push(JSON.parse(JSON.stringify(row)));
  }
  return rows;
}

let root: ReturnType<typeof createRoot> | undefined;

function HostRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = React.useState(history.location);
  React.useEffect(() => history.listen((next: typeof history.location) => setLocation({ ...next })), [history]);
  return (
    <Router location={location} navigator={history as unknown as React.ComponentProps<typeof Router>['navigator']}>
      {children}
    </Router>
  );
}

function render(node: React.ReactNode): void {
  const container = document.getElementById('root')!;
  root ??= createRoot(container);
  root.render(
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <HostRouter>
        <div data-testid="host-view" style={{ padding: 16 }}>
          {node}
        </div>
      </HostRouter>
      <PortalContainer />
    </ThemeContext.Provider>
  );
}

function rangeOf(fromMs: number, toMs: number) {
  const from = dateTime(fromMs);
  const to = dateTime(toMs);
  return { from, to, raw: { from, to } };
}

const state: {
  modules: Record<string, Record<string, unknown>>;
  dsPlugin?: DataSourcePlugin<DataSourceApi>;
  dsSettings?: DataSourceInstanceSettings;
  ds?: DataSourceApi;
  app?: AppPlugin;
  scene?: SceneRun;
} = { modules: {} };

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`host: ${what} is not loaded yet`);
  }
  return value;
}

async function toResponse(
  result: Observable<DataQueryResponse> | Promise<DataQueryResponse>
): Promise<DataQueryResponse> {
  return isObservable(result) ? lastValueFrom(result) : result;
}

function request(targets: DataQueryRequest['targets'], fromMs: number, toMs: number, app = CoreApp.Dashboard) {
  const maxDataPoints = 1000;
  const intervalMs = Math.max(1000, Math.floor((toMs - fromMs) / maxDataPoints));
  return {
    requestId: `host-${Math.random().toString(36).slice(2)}`,
    interval: `${Math.round(intervalMs / 1000)}s`,
    intervalMs,
    maxDataPoints,
    range: rangeOf(fromMs, toMs),
    rangeRaw: rangeOf(fromMs, toMs).raw,
    scopedVars: {},
    targets,
    timezone: 'utc',
    app,
    startTime: Date.now(),
  } as unknown as DataQueryRequest;
}

const host = {
  events: [] as Array<{ type: string; value: unknown }>,
  requests: requestLog,

  /** Imports a module.js exactly as Grafana's plugin loader does and returns the names it exports. */
  async importPlugin(url: string): Promise<{ exports: string[]; kind?: 'app' | 'datasource' | 'other' }> {
    const mod = await window.System.import(url);
    state.modules[url] = mod;
    const plugin = mod.plugin;
    // instanceof holds only if the plugin used the host's @grafana/data, i.e. the externals were wired as in Grafana.
    const kind =
      plugin instanceof AppPluginClass
        ? 'app'
        : plugin instanceof DataSourcePluginClass
          ? 'datasource'
          : plugin
            ? 'other'
            : undefined;
    return { exports: Object.keys(mod).filter((k) => k !== '__esModule'), kind };
  },

  /**
   * Registers a Prometheus data source (reached through its resource route), any other data sources the picker
   * should list, and an instance of the plugin's data source.
   */
  async setupDataSource(opts: {
    url: string;
    meta: DataSourcePluginMeta;
    uid: string;
    prometheusUid: string;
    jsonData: Record<string, unknown>;
    /** The Prometheus data source's own settings (e.g. `httpMethod`), as Grafana's boot data lists them. */
    prometheusJsonData?: Record<string, unknown>;
    others?: Array<{ uid: string; name: string; type: string }>;
  }): Promise<{ dataSourceClass: string; hasAnnotations: boolean; components: string[] }> {
    const mod = state.modules[opts.url] ?? (await window.System.import(opts.url));
    const dsPlugin = need(mod.plugin as DataSourcePlugin<DataSourceApi> | undefined, `plugin export of ${opts.url}`);
    dsPlugin.meta = opts.meta;
    const prometheus = {
      uid: opts.prometheusUid,
      id: 2,
      name: 'Prometheus',
      type: 'prometheus',
      access: 'proxy',
      readOnly: false,
      jsonData: opts.prometheusJsonData ?? {},
      meta: { id: 'prometheus', name: 'Prometheus', type: 'datasource', metrics: true, info: { logos: {} } },
    } as unknown as DataSourceInstanceSettings;
    const settings = {
      uid: opts.uid,
      id: 1,
      name: 'Prefect API insights',
      type: opts.meta.id,
      access: 'proxy',
      readOnly: false,
      jsonData: opts.jsonData,
      meta: opts.meta,
    } as unknown as DataSourceInstanceSettings;
    const others = (opts.others ?? []).map(
      (o, i) =>
        ({
          uid: o.uid,
          id: 10 + i,
          name: o.name,
          type: o.type,
          access: 'proxy',
          readOnly: false,
          jsonData: {},
          meta: { id: o.type, name: o.name, type: 'datasource', metrics: true, info: { logos: {} } },
        }) as unknown as DataSourceInstanceSettings
    );
    registry.settings.splice(0, registry.settings.length, prometheus, ...others, settings);
    config.datasources = { Prometheus: prometheus, [settings.name]: settings };
    const ds = new dsPlugin.DataSourceClass(settings);
    registry.instances.set(settings.uid, ds);
    state.dsPlugin = dsPlugin;
    state.dsSettings = settings;
    state.ds = ds;
    return {
      dataSourceClass: ds.constructor.name,
      hasAnnotations: !!ds.annotations,
      components: Object.entries(dsPlugin.components)
        .filter(([, v]) => !!v)
        .map(([k]) => k),
    };
  },

  renderConfigEditor(): void {
    const plugin = need(state.dsPlugin, 'data source plugin');
    const ConfigEditor = need(plugin.components.ConfigEditor, 'ConfigEditor');
    const base = need(state.dsSettings, 'data source settings');
    const initial = {
      ...base,
      orgId: 1,
      typeName: base.meta.name,
      typeLogoUrl: '',
      url: '',
      user: '',
      database: '',
      basicAuth: false,
      basicAuthUser: '',
      isDefault: false,
      withCredentials: false,
      secureJsonFields: {},
      version: 1,
    } as unknown as DataSourceSettings;
    function Editor() {
      const [options, setOptions] = React.useState(initial);
      return (
        <ConfigEditor
          options={options}
          onOptionsChange={(next) => {
            host.events.push({ type: 'onOptionsChange', value: JSON.parse(JSON.stringify(next)) });
            setOptions(next);
          }}
        />
      );
    }
    render(<Editor />);
  },

  renderQueryEditor(query: Record<string, unknown>, fromMs: number, toMs: number): void {
    const plugin = need(state.dsPlugin, 'data source plugin');
    const QueryEditor = need(plugin.components.QueryEditor, 'QueryEditor');
    const ds = need(state.ds, 'data source instance');
    function Editor() {
      const [current, setCurrent] = React.useState(query);
      return (
        <QueryEditor
          datasource={ds}
          query={current as never}
          range={rangeOf(fromMs, toMs)}
          app={CoreApp.PanelEditor}
          onChange={(next: object) => {
            host.events.push({ type: 'onChange', value: JSON.parse(JSON.stringify(next)) });
            setCurrent(next as Record<string, unknown>);
          }}
          onRunQuery={() => host.events.push({ type: 'onRunQuery', value: null })}
        />
      );
    }
    render(<Editor />);
  },

  /** The data source's Save & test, as Grafana's data source page calls it. */
  async testDataSource(): Promise<{ status: string; message: string }> {
    const ds = need(state.ds, 'data source') as DataSourceApi;
    const res = await ds.testDatasource();
    return { status: res.status ?? '', message: res.message };
  },

  async runQuery(
    targets: Array<Record<string, unknown>>,
    fromMs: number,
    toMs: number
  ): Promise<{ frames: FrameView[]; error?: unknown; errors?: unknown }> {
    const ds = need(state.ds, 'data source instance');
    const targetsWithDs = targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: { uid: ds.uid, type: ds.type },
      ...t,
    }));
    const response = await toResponse(ds.query(request(targetsWithDs as never, fromMs, toMs)));
    return {
      frames: (response.data as DataFrame[]).map(viewFrame),
      error: response.error ? JSON.parse(JSON.stringify(response.error)) : undefined,
      errors: response.errors ? JSON.parse(JSON.stringify(response.errors)) : undefined,
    };
  },

  renderAnnotationEditor(annotation: Record<string, unknown>): void {
    const ds = need(state.ds, 'data source instance');
    const support = need(ds.annotations, 'annotations support of the data source');
    const Editor = need(support.QueryEditor, 'annotations.QueryEditor');
    const prepared = support.prepareAnnotation ? support.prepareAnnotation(annotation as never) : annotation;
    function AnnotationEditor() {
      const [current, setCurrent] = React.useState(prepared as Record<string, unknown>);
      const query = (support.prepareQuery ? support.prepareQuery(current as never) : current.target) ?? {
        refId: 'Anno',
      };
      return (
        <Editor
          datasource={ds}
          query={query as never}
          annotation={current as never}
          onAnnotationChange={(next: Record<string, unknown>) => {
            host.events.push({ type: 'onAnnotationChange', value: JSON.parse(JSON.stringify(next)) });
            setCurrent(next);
          }}
          onChange={(next: object) => {
            host.events.push({ type: 'onChange', value: JSON.parse(JSON.stringify(next)) });
            setCurrent({ ...current, target: next });
          }}
          onRunQuery={() => host.events.push({ type: 'onRunQuery', value: null })}
        />
      );
    }
    render(<AnnotationEditor />);
  },

  /** Grafana's annotation pipeline for a data source: prepareAnnotation → prepareQuery → query → processEvents. */
  async runAnnotations(
    annotation: Record<string, unknown>,
    fromMs: number,
    toMs: number
  ): Promise<{ events: AnnotationEventView[]; frames: FrameView[] }> {
    const ds = need(state.ds, 'data source instance');
    const support = need(ds.annotations, 'annotations support of the data source');
    const withDefaults = { ...(support.getDefaultQuery?.() ?? {}), ...annotation };
    const prepared = (
      support.prepareAnnotation ? support.prepareAnnotation(withDefaults as never) : withDefaults
    ) as Record<string, unknown>;
    const query = (support.prepareQuery ? support.prepareQuery(prepared as never) : prepared.target) as
      Record<string, unknown> | undefined;
    if (!query) {
      return { events: [], frames: [] };
    }
    const target = { refId: 'Anno', datasource: { uid: ds.uid, type: ds.type }, ...query };
    const response = await toResponse(ds.query(request([target] as never, fromMs, toMs)));
    if (response.error || response.errors?.length) {
      throw new Error(`annotation query failed: ${JSON.stringify(response.error ?? response.errors)}`);
    }
    const frames = response.data as DataFrame[];
    const events = support.processEvents
      ? ((await lastValueFrom(support.processEvents(prepared as never, frames))) ?? [])
      : framesToEvents(frames);
    return { events: JSON.parse(JSON.stringify(events)), frames: frames.map(viewFrame) };
  },

  /** Renders the app's root page at `path` (e.g. /a/<id>/advice?insight=…), as Grafana's AppRootPage does. */
  async renderApp(url: string, meta: Record<string, unknown>, path: string): Promise<void> {
    const mod = state.modules[url] ?? (await window.System.import(url));
    const app = need(mod.plugin as AppPlugin | undefined, `plugin export of ${url}`);
    const appMeta = { ...meta, enabled: true, jsonData: {}, baseUrl: url.replace(/\/module\.js$/, ''), module: url };
    app.meta = appMeta as never;
    app.init(appMeta as never);
    state.app = app;
    const Root = need(app.root, 'app root page');
    const basename = `/a/${meta.id as string}`;
    locationService.push(path);
    render(
      <Routes>
        <Route
          path={`${basename}/*`}
          element={
            <Root
              meta={appMeta as never}
              basename={basename}
              onNavChanged={(nav) =>
                host.events.push({ type: 'onNavChanged', value: JSON.parse(JSON.stringify(nav ?? null)) })
              }
              query={Object.fromEntries(new URLSearchParams(path.split('?')[1] ?? ''))}
              path={basename}
            />
          }
        />
      </Routes>
    );
  },

  /** Each event's tooltip body as Grafana renders it when the pointer is on the annotation. */
  renderAnnotationTooltips(events: AnnotationEventView[]): void {
    render(
      <div>
        {events.map((e, i) => (
          <AnnotationTooltipBody key={i} title={e.title} text={e.text} tags={e.tags} />
        ))}
      </div>
    );
  },

  renderHero(props: HeroProps): void {
    render(<HeroView {...props} />);
  },

  /**
   * Runs a bundled dashboard through @grafana/scenes (host/sceneDashboard.ts) with the given variable selection
   * (values, or ['$__all']; the others keep the dashboard's saved values) and draws it; returns what Scenes made of
   * it: variable values and options, each panel's answer and links, each annotation layer's events.
   */
  async renderDashboard(dashboard: DashboardJson, fromMs: number, toMs: number, selection: Selection = {}) {
    need(state.ds, 'data source instance');
    state.scene?.deactivate();
    ensureTransformers();
    const loaded = loadDashboard(dashboard, fromMs, toMs, selection, panelWidth);
    const run = await runScene(loaded);
    state.scene = run;
    const runs = panelRuns(dashboard, loaded, run.panelData);
    render(<DashboardView dashboard={dashboard} runs={runs} fromMs={fromMs} toMs={toMs} />);
    return {
      values: run.values,
      options: run.options,
      panels: runs.map((r) => ({
        id: r.id,
        title: r.title,
        type: r.type,
        datasourceUid: r.datasourceUid,
        frames: r.frames.length,
        valueCount: r.valueCount,
        error: r.error,
        targets: r.targets,
        links: r.links,
      })),
      annotations: Object.fromEntries(
        Object.entries(run.annotations).map(([name, frames]) => [name, frames.flatMap(frameRows)])
      ),
      /** Each annotation layer's icon colour as the theme resolves it. */
      iconColors: Object.fromEntries(
        (dashboard.annotations?.list ?? []).map((a) => [
          a.name,
          config.theme2.visualization.getColorByName(a.iconColor ?? ''),
        ])
      ),
    };
  },
};

registerSharedModules();
installServices();
// Grafana initialises locationUtil at boot (public/app/app.ts) with its config: assureBaseUrl then knows appSubUrl.
// (The time range and variables it asks for serve only `$__url_time_range`-style helpers this host does not use.)
locationUtil.initialize({
  config: config as never,
  getTimeRangeForUrl: () => ({ from: 'now-6h', to: 'now' }),
  getVariablesUrlParams: () => ({}),
});
window.__host = host;
