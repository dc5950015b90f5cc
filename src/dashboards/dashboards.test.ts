// Runs in jsdom: it imports the data source module (for its variable queries), which loads @grafana/runtime.
// The bundled dashboards must load on any Grafana with any data source uid: every query goes through the
// data source template variable, and every query type is one the data source implements.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import appPlugin from '../../plugin.json';
import { DATASOURCE_TYPE, OVERVIEW_DASHBOARD_UID } from '../constants';
import { VARIABLE_QUERIES } from '../datasource/datasource';
import { QUERY_TYPE_LABELS } from '../datasource/types';
import { SEVERITY_RANK } from '../catalog/types';

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
  datasource?: Ref;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
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
  annotations: { list: Array<{ name: string; enable: boolean; builtIn?: number; datasource?: Ref; target?: Target }> };
}

const DIR = __dirname;
const QUERY_TYPES = Object.keys(QUERY_TYPE_LABELS);
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Dashboard }));

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

function expectViaVariable(ref: Ref | undefined, dsVar: string, where: string) {
  expect({ where, ref }).toEqual({ where, ref: { type: DATASOURCE_TYPE, uid: `\${${dsVar}}` } });
}

it('there is at least the overview dashboard', () => {
  expect(dashboards.map((d) => d.json.uid)).toContain(OVERVIEW_DASHBOARD_UID);
});

it('plugin.json includes exactly the dashboards in src/dashboards', () => {
  const included = appPlugin.includes.filter((i) => i.type === 'dashboard').map((i) => i.path);
  expect(included.sort()).toEqual(files.map((f) => `dashboards/${f}`).sort());
});

it('the dashboard nav page points at a bundled dashboard uid', () => {
  const dashboardPages = appPlugin.includes.filter((i) => i.type === 'page' && i.path.startsWith('d/'));
  for (const page of dashboardPages) {
    expect(dashboards.map((d) => `d/${d.json.uid}`)).toContain(page.path);
  }
});

describe.each(dashboards)('$file', ({ json }) => {
  const dsVar = json.templating.list.find((v) => v.type === 'datasource');

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
