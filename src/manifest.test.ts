// Both manifests as Grafana reads them: valid against Grafana's published plugin.json schema (copied under
// tests/schemas, see its README), and every navigation entry resolving to something the app ships.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { ROUTES } from './constants';

const ROOT = join(__dirname, '..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

interface Include {
  type: string;
  name: string;
  path?: string;
  uid?: string;
  addToNav?: boolean;
  defaultNav?: boolean;
}
interface Manifest {
  id: string;
  includes?: Include[];
}

const app = readJson('plugin.json') as Manifest;
const schema = readJson('tests/schemas/plugin.schema.json') as object;

describe.each(['plugin.json', 'src/datasource/plugin.json'])('%s', (file) => {
  it("passes Grafana's plugin.json schema", () => {
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const valid = validate(readJson(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});

it('the schema check can fail: a manifest without info.keywords is rejected', () => {
  const validate = new Ajv().compile(schema);
  const broken = JSON.parse(JSON.stringify(app)) as { info: Record<string, unknown> };
  delete broken.info.keywords;
  expect(validate(broken)).toBe(false);
});

/**
 * The URL Grafana's nav tree gives an include, or undefined when it adds none. Follows processAppPlugin in
 * pkg/services/navtree/navtreeimpl/applinks.go: a page's URL is AppSubURL + its path taken as it is (so a path
 * without a leading slash is relative to wherever the user is); a dashboard's is `/d/<uid>`
 * (Includes.DashboardURLPath in pkg/plugins/plugins.go), and a dashboard include without a uid is left out.
 */
function navUrl(include: Include, pluginId: string): string | undefined {
  if (!include.addToNav) {
    return undefined;
  }
  if (include.type === 'page') {
    return include.path ? include.path.replace(/%PLUGIN_ID%/g, pluginId) : `/plugins/${pluginId}/page/`;
  }
  if (include.type === 'dashboard') {
    return include.uid ? `/d/${include.uid}` : undefined;
  }
  return undefined;
}

describe('navigation', () => {
  const includes = app.includes ?? [];
  const dashboards = includes.filter((i) => i.type === 'dashboard');
  const dashboardUids = dashboards.map((d) => {
    const json = readJson(join('src', d.path ?? '')) as { uid: string };
    return { include: d, fileUid: json.uid };
  });

  it('every dashboard include carries the uid of the file it points at, and is in the nav', () => {
    expect(dashboards.length).toBeGreaterThanOrEqual(3);
    for (const { include, fileUid } of dashboardUids) {
      expect({ name: include.name, uid: include.uid, addToNav: include.addToNav }).toEqual({
        name: include.name,
        uid: fileUid,
        addToNav: true,
      });
    }
  });

  it('every nav entry is an absolute path to an app page, the plugin page or a bundled dashboard', () => {
    const pages = new Set(Object.values(ROUTES).map((r) => `/a/${app.id}/${r}`));
    const uids = new Set(dashboardUids.map((d) => d.fileUid));
    const urls = includes.filter((i) => i.addToNav).map((i) => ({ name: i.name, url: navUrl(i, app.id) }));
    expect(urls.length).toBeGreaterThan(0);
    for (const { name, url } of urls) {
      const resolves =
        url !== undefined &&
        (pages.has(url) || url === `/plugins/${app.id}` || (url.startsWith('/d/') && uids.has(url.slice(3))));
      expect({ name, url, resolves }).toEqual({ name, url, resolves: true });
    }
  });

  it('a relative page path, as the old dashboard entry had, is caught', () => {
    const url = navUrl({ type: 'page', name: 'Dashboard', path: 'd/prefect-api-overview', addToNav: true }, app.id);
    expect(url?.startsWith('/')).toBe(false);
  });

  it('has exactly one default nav entry, an app page', () => {
    const defaults = includes.filter((i) => i.defaultNav);
    expect(defaults).toHaveLength(1);
    expect(defaults[0].type).toBe('page');
  });
});
