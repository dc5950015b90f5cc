// Runs in jsdom: it imports the data source module (for its variable queries), which loads @grafana/runtime.
// The bundled dashboards must load on any Grafana with any data source uid: every query goes through the
// data source template variable, and every query type is one the data source implements.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDashboard } from '@grafana/schema';
import appPlugin from '../../plugin.json';
import {
  DATASOURCE_TYPE,
  OVERVIEW_DASHBOARD_UID,
  PLUGIN_BASE_URL,
  ROUTES,
  ROUTES_DASHBOARD_UID,
  TIMELINE_DASHBOARD_UID,
} from '../constants';
import { VARIABLE_QUERIES } from '../datasource/datasource';
import { QUERY_TYPE_LABELS } from '../datasource/types';
import { SEVERITY_RANK } from '../catalog/types';
import { dashboardContentHash, type RevisionEntry } from './contentHash';
import revisionLog from '../../tools/dashboard-revisions.json';

interface Ref {
  type?: string;
  uid?: string;
}
interface Target {
  refId: string;
  queryType?: string;
  datasource?: Ref;
  routes?: string[];
  methods?: string[];
  statuses?: string[];
  [k: string]: unknown;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: Ref;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  multi?: boolean;
  query?: unknown;
  datasource?: Ref;
}
interface Dashboard {
  id: unknown;
  uid: string;
  title: string;
  revision?: unknown;
  __inputs?: unknown;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: {
    list: Array<{
      name: string;
      enable: boolean;
      builtIn?: number;
      datasource?: Ref;
      target?: Target;
      filter?: unknown;
    }>;
  };
  schemaVersion: number;
}

const DIR = __dirname;
const QUERY_TYPES = Object.keys(QUERY_TYPE_LABELS);
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => {
  const text = readFileSync(join(DIR, f), 'utf8');
  return { file: f, text, json: JSON.parse(text) as Dashboard };
});
const log = revisionLog as Record<string, RevisionEntry[]>;
const bundledUids = new Set(dashboards.map((d) => d.json.uid));
const appPages = new Set(Object.values(ROUTES).map((r) => `${PLUGIN_BASE_URL}/${r}`));

/** Every `url` anywhere in the dashboard: dashboard links, data links in field config and overrides. */
function urlsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v) => urlsIn(v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'url' && typeof v === 'string') {
        out.push(v);
      } else {
        urlsIn(v, out);
      }
    }
  }
  return out;
}

/** A link resolves when its path (before `?`/`#`) is an app page or a dashboard the app ships. */
function resolves(url: string): boolean {
  const path = url.split(/[?#]/)[0];
  return appPages.has(path) || (path.startsWith('/d/') && bundledUids.has(path.slice(3)));
}

function overlaps(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

function expectViaVariable(ref: Ref | undefined, dsVar: string, where: string) {
  expect({ where, ref }).toEqual({ where, ref: { type: DATASOURCE_TYPE, uid: `\${${dsVar}}` } });
}

it('ships the overview, the route drill-down and the insights timeline', () => {
  expect(dashboards.map((d) => d.json.uid).sort()).toEqual(
    [OVERVIEW_DASHBOARD_UID, ROUTES_DASHBOARD_UID, TIMELINE_DASHBOARD_UID].sort()
  );
});

it('the link check can fail: a link to a dashboard the app does not ship is caught', () => {
  expect(resolves('/d/someone-elses-dashboard')).toBe(false);
  expect(resolves(`${PLUGIN_BASE_URL}/nowhere`)).toBe(false);
  expect(resolves(`${PLUGIN_BASE_URL}/${ROUTES.Advice}?insight=x`)).toBe(true);
});

it('the overlap check can fail', () => {
  expect(overlaps({ x: 0, y: 0, w: 12, h: 8 }, { x: 11, y: 7, w: 4, h: 4 })).toBe(true);
  expect(overlaps({ x: 0, y: 0, w: 12, h: 8 }, { x: 12, y: 0, w: 12, h: 8 })).toBe(false);
});

it('plugin.json includes exactly the dashboards in src/dashboards', () => {
  const included = appPlugin.includes.filter((i) => i.type === 'dashboard').map((i) => i.path);
  expect(included.sort()).toEqual(files.map((f) => `dashboards/${f}`).sort());
});

it('each dashboard include names the uid of its file', () => {
  for (const include of appPlugin.includes.filter((i) => i.type === 'dashboard')) {
    const file = dashboards.find((d) => `dashboards/${d.file}` === include.path);
    expect({ path: include.path, uid: 'uid' in include ? include.uid : undefined }).toEqual({
      path: include.path,
      uid: file?.json.uid,
    });
  }
});

describe.each(dashboards)('$file', ({ file, text, json }) => {
  const dsVar = json.templating.list.find((v) => v.type === 'datasource');

  it('is at the schema version of the Grafana it is built for (@grafana/schema 12.4), so Grafana does not migrate it', () => {
    expect(json.schemaVersion).toBe(defaultDashboard.schemaVersion);
  });

  it('has its revision bumped whenever its content changed (tools/dashboard-revisions.json)', () => {
    const history = log[file] ?? [];
    expect(history.length).toBeGreaterThan(0);
    const last = history[history.length - 1];
    // On failure: the file changed without a new revision. Run `npm run dashboards:revise`.
    expect({ file, revision: json.revision, sha256: dashboardContentHash(text) }).toEqual({
      file,
      revision: last.revision,
      sha256: last.sha256,
    });
    for (let i = 1; i < history.length; i++) {
      expect(history[i].revision).toBeGreaterThan(history[i - 1].revision);
      expect(history[i].sha256).not.toBe(history[i - 1].sha256);
    }
  });

  it('links only to app pages and bundled dashboards', () => {
    const urls = urlsIn({ links: (json as unknown as { links: unknown }).links, panels: json.panels });
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect({ url, resolves: resolves(url) }).toEqual({ url, resolves: true });
    }
  });

  it('has no two panels overlapping in the grid, and none wider than it', () => {
    const panels = json.panels;
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.gridPos.w > 0 && p.gridPos.h > 0).toBe(true);
    }
    for (let i = 0; i < panels.length; i++) {
      for (let j = i + 1; j < panels.length; j++) {
        expect({
          a: panels[i].title,
          b: panels[j].title,
          overlap: overlaps(panels[i].gridPos, panels[j].gridPos),
        }).toEqual({
          a: panels[i].title,
          b: panels[j].title,
          overlap: false,
        });
      }
    }
  });

  it('shows the insight annotations on every time-series panel (no panel filter)', () => {
    const ours = json.annotations.list.filter((a) => !a.builtIn);
    expect(ours.every((a) => a.filter === undefined)).toBe(true);
    expect(allPanels(json.panels).some((p) => p.type === 'timeseries')).toBe(true);
  });

  it('can be imported anywhere: id null, fixed uid, revision set, no __inputs', () => {
    expect(json.id).toBeNull();
    expect(json.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(typeof json.revision).toBe('number');
    expect(json.__inputs).toBeUndefined();
  });

  it('has a data source variable of our type', () => {
    expect(dsVar).toBeDefined();
    expect(dsVar?.query).toBe(DATASOURCE_TYPE);
  });

  it('has unique panel ids', () => {
    const ids = allPanels(json.panels).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries only through the data source variable, with query types the data source implements', () => {
    const panels = allPanels(json.panels).filter((p) => p.type !== 'row' && p.type !== 'text');
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      expectViaVariable(panel.datasource, dsVar!.name, panel.title);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expectViaVariable(target.datasource ?? panel.datasource, dsVar!.name, `${panel.title} ${target.refId}`);
        expect(QUERY_TYPES).toContain(target.queryType);
      }
    }
  });

  it('filters use only variables the dashboard defines', () => {
    const names = new Set(json.templating.list.map((v) => v.name));
    for (const panel of allPanels(json.panels)) {
      for (const target of panel.targets ?? []) {
        for (const entry of [...(target.routes ?? []), ...(target.methods ?? []), ...(target.statuses ?? [])]) {
          const m = /^\$\{?(\w+)\}?$/.exec(entry);
          expect(m && names.has(m[1])).toBe(true);
        }
      }
    }
  });

  it('label variables use the variable queries the data source answers', () => {
    for (const v of json.templating.list.filter((x) => x.type === 'query')) {
      expectViaVariable(v.datasource, dsVar!.name, v.name);
      expect(VARIABLE_QUERIES as readonly unknown[]).toContain(v.query);
    }
  });

  it('has an enabled insights annotation from the data source', () => {
    const ours = json.annotations.list.filter((a) => !a.builtIn);
    expect(ours).toHaveLength(1);
    const [annotation] = ours;
    expect(annotation.enable).toBe(true);
    expectViaVariable(annotation.datasource, dsVar!.name, annotation.name);
    expect(annotation.target?.queryType).toBe('insights');
    expect(Object.keys(SEVERITY_RANK)).toContain(annotation.target?.minSeverity);
  });
});

const byUid = (uid: string) => dashboards.find((d) => d.json.uid === uid)!.json;
const queryTypes = (d: Dashboard) => allPanels(d.panels).flatMap((p) => (p.targets ?? []).map((t) => t.queryType));

it('the overview has every signal the operator opens first', () => {
  const overview = byUid(OVERVIEW_DASHBOARD_UID);
  const quantiles = allPanels(overview.panels).flatMap((p) =>
    (p.targets ?? []).flatMap((t) => (t.queryType === 'quantile' ? ((t.quantiles as number[]) ?? []) : []))
  );
  expect(quantiles).toEqual(expect.arrayContaining([0.5, 0.95, 0.99]));
  expect(queryTypes(overview)).toEqual(
    expect.arrayContaining([
      'rate',
      'errorRatio',
      'mean',
      'heatmap',
      'topSlowRoutes',
      'slowShare',
      'insights',
      'insightStatus',
      'insightTimeline',
    ])
  );
  const timeout = allPanels(overview.panels)
    .flatMap((p) => p.targets ?? [])
    .find((t) => t.thresholdFrom);
  expect(timeout?.thresholdFrom).toBe('clientTimeout');
});

it('the route drill-down has a multi-value route variable from routes() and per-route share of time and status mix', () => {
  const routes = byUid(ROUTES_DASHBOARD_UID);
  const route = routes.templating.list.find((v) => v.name === 'route');
  expect(route).toMatchObject({ type: 'query', query: 'routes()', multi: true });
  const perRoute = allPanels(routes.panels).flatMap((p) => p.targets ?? []);
  for (const type of ['timeShare', 'statusMix', 'quantile', 'rate', 'errorRatio', 'mean']) {
    const t = perRoute.find((x) => x.queryType === type);
    expect({ type, groupBy: t?.groupBy, routes: t?.routes }).toEqual({ type, groupBy: ['route'], routes: ['$route'] });
  }
});

it('the insights timeline lists episodes with severity and evidence, linking each to its advice', () => {
  const timeline = byUid(TIMELINE_DASHBOARD_UID);
  expect(queryTypes(timeline)).toEqual(expect.arrayContaining(['insights', 'insightTimeline', 'insightStatus']));
  const table = allPanels(timeline.panels).find((p) => p.targets?.some((t) => t.queryType === 'insights'));
  const links = urlsIn(table);
  expect(links.some((u) => u.startsWith(`${PLUGIN_BASE_URL}/${ROUTES.Advice}?insight=\${__data.fields.id}`))).toBe(
    true
  );
});
