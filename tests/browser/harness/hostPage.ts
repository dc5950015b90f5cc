// A Playwright fixture that opens the host page: every URL is answered by page.route (no server process). The built
// plugin is served from dist/ under /public/plugins/<id>/ as Grafana serves it, and the Prometheus data source's
// resource route is answered as Grafana does, forwarding to the real Prometheus started in globalSetup.
import { test as base, expect, type Page, type Route } from '@playwright/test';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { REPO_ROOT } from './buildHost';
import { readSetupState, type SetupState } from './state';

export const ORIGIN = 'http://grafana.test';
export const APP_ID = 'prefectinsights-api-app';
export const DATASOURCE_ID = 'prefectinsights-api-datasource';
export const PROMETHEUS_UID = 'prometheus-under-test';
export const DATASOURCE_UID = 'prefect-insights-under-test';

/** Module URLs exactly as Grafana computes them for a local plugin: public/plugins/<plugin id>/module.js. */
export const APP_MODULE = `/public/plugins/${APP_ID}/module.js`;
export const DATASOURCE_MODULE = `/public/plugins/${DATASOURCE_ID}/module.js`;
/**
 * Grafana versions differ in where a nested plugin is served: under its own id (above; what grafana/plugin-tools#2172
 * reports) or under the parent's id and its folder (Grafana's assetpath with a parent/relPath). Both must work.
 */
export const DATASOURCE_MODULE_UNDER_APP = `/public/plugins/${APP_ID}/datasource/module.js`;

const DIST = join(REPO_ROOT, 'dist');
/** @grafana/ui ships the icon SVGs Grafana serves under public/build/img/icons. */
const ICONS = join(REPO_ROOT, 'node_modules/@grafana/ui/dist/public/img/icons');

/** Which dist folder holds each plugin's files (the nested data source lives in dist/datasource). */
const PLUGIN_DIRS: Record<string, string> = {
  [APP_ID]: DIST,
  [DATASOURCE_ID]: join(DIST, 'datasource'),
};

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.css': 'text/css',
  '.map': 'application/json',
  '.md': 'text/markdown',
};

export function readPluginJson(id: string): Record<string, unknown> {
  const file = join(PLUGIN_DIRS[id], 'plugin.json');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run build\` before the browser tests`);
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}

function bootData(subPath: string) {
  return {
    settings: {
      appUrl: `${ORIGIN}${subPath}/`,
      appSubUrl: subPath,
      buildInfo: { version: '12.4.10', commit: 'host', env: 'production', edition: 'Open Source' },
      datasources: {},
      featureToggles: {},
      defaultDatasource: PROMETHEUS_UID,
      apps: {},
      panels: {},
    },
    user: {
      id: 1,
      uid: 'admin',
      login: 'admin',
      name: 'admin',
      email: 'admin@localhost',
      orgId: 1,
      orgName: 'Main Org.',
      orgRole: 'Admin',
      isGrafanaAdmin: true,
      isSignedIn: true,
      theme: 'dark',
      timezone: 'utc',
      language: 'en-US',
      regionalFormat: 'en-US',
      permissions: {},
    },
    navTree: [],
    assets: { dark: '', light: '' },
  };
}

function hostHtml(subPath: string): string {
  // grafanaBootData must exist before @grafana/runtime (inside host.js) is evaluated; amd.js comes last so that
  // UMD code in the host bundle never sees a global `define`. Grafana's index.html sets `<base href="{appSubUrl}/">`.
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><base href="${subPath}/"><title>Grafana host page</title>
<script>window.grafanaBootData = ${JSON.stringify(bootData(subPath))};</script>
<script src="${subPath}/host/system.js"></script>
<script src="${subPath}/host/host.js"></script>
<script src="${subPath}/host/amd.js"></script>
</head><body><div id="root" style="min-width: 1040px; width: fit-content"></div></body></html>`;
}

function serveFile(route: Route, file: string, missing: string[]): Promise<void> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    missing.push(route.request().url());
    return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
  }
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  return route.fulfill({ status: 200, contentType: type, body: readFileSync(file) });
}

/** Resolves `rest` inside `dir`, refusing any path that climbs out of it. */
function inside(dir: string, rest: string): string | undefined {
  const file = normalize(join(dir, decodeURIComponent(rest)));
  return file === dir || file.startsWith(dir + sep) ? file : undefined;
}

/** Grafana's JsonApiErr body (grafana/grafana `pkg/services/contexthandler/model/model.go`). */
function grafanaError(route: Route, status: number, message: string): Promise<void> {
  return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ message, traceID: '' }) });
}

/**
 * A failed resource call as Grafana 12.4–13 answers it: `pkg/api/plugin_resource.go` handleCallResourceError writes
 * the errutil error of `pkg/plugins/errors.go` through response.ErrOrFallback, a 500 whose body carries the public
 * message: "An error occurred within the plugin" (plugin.requestFailureError, wrapped around any CallResource
 * error) or "Plugin unavailable" (plugin.unavailable; a 503 in releases before).
 */
function pluginError(route: Route, messageId: 'plugin.requestFailureError' | 'plugin.unavailable'): Promise<void> {
  const message = messageId === 'plugin.unavailable' ? 'Plugin unavailable' : 'An error occurred within the plugin';
  return route.fulfill({
    status: 500,
    contentType: 'application/json',
    body: JSON.stringify({ message, messageId, statusCode: 500, traceID: '' }),
  });
}

/** Grafana's `[dataproxy] timeout` default: the data source's HTTP client gives up after 30 s. */
const GRAFANA_DATAPROXY_TIMEOUT_MS = 30_000;

export interface GrafanaState {
  /** uid -> URL of each Prometheus-type data source Grafana knows (PROMETHEUS_UID -> the real Prometheus). */
  upstreams: Map<string, string>;
  /** uids the signed-in user may not query. */
  denied: Set<string>;
  /** uids whose `httpMethod` is GET: Grafana's Prometheus library answers each POST to them with 405. */
  getOnly: Set<string>;
  /** uids whose plugin is not running. */
  unavailable: Set<string>;
  /** URLs forwarded to Prometheus by the resource route. */
  forwarded: string[];
}

export interface HostPage {
  page: Page;
  setup: SetupState;
  /** Plugin files the page asked for that dist/ does not have (a broken chunk path shows up here). */
  missing: string[];
  /** Uncaught page errors and console.error lines. */
  errors: string[];
  /** What the host's Grafana knows: data sources, permissions, and what it forwarded to Prometheus. */
  grafana: GrafanaState;
  screenshot(name: string): Promise<string>;
}

export const SCREENSHOT_DIR = join(REPO_ROOT, 'tests/artifacts/screenshots');

export interface BuiltDataSourceOptions {
  /** The data source's settings (default: only the Prometheus under test). */
  jsonData?: Record<string, unknown>;
  /** Where Grafana serves the module from (default: the data source's own plugin folder). */
  url?: string;
  /** Other data sources the host's Grafana lists beside it (for pickers and Loki links). */
  others?: Array<{ uid: string; name: string; type: string }>;
  /** The Prometheus data source's own jsonData (e.g. `httpMethod`). */
  prometheusJsonData?: Record<string, unknown>;
}

/** The built nested data source, registered in the host's Grafana over the Prometheus under test. */
export function setupBuiltDataSource(host: HostPage, opts: BuiltDataSourceOptions = {}) {
  return host.page.evaluate((args) => window.__host.setupDataSource(args), {
    url: opts.url ?? DATASOURCE_MODULE,
    meta: readPluginJson(DATASOURCE_ID) as never,
    uid: DATASOURCE_UID,
    prometheusUid: PROMETHEUS_UID,
    jsonData: opts.jsonData ?? { prometheusUid: PROMETHEUS_UID },
    prometheusJsonData: opts.prometheusJsonData,
    others: opts.others ?? [],
  });
}

/** Grafana pages a link may lead to: a bundled dashboard, an app page, Explore, a data source page. */
const GRAFANA_PAGE = /^\/(d\/[^/?#]+|a\/[^/?#]+(\/[^?#]*)?|explore|connections\/datasources\/.*)$/;

export const test = base.extend<{
  host: HostPage;
  /** Serve Grafana under this sub-path (`[server] root_url = …/grafana/`, config.appSubUrl), e.g. '/grafana'. */
  subPath: string;
}>({
  subPath: ['', { option: true }],
  host: async ({ page, subPath }, use, testInfo) => {
    const setup = readSetupState();
    const missing: string[] = [];
    const errors: string[] = [];
    const grafana: GrafanaState = {
      upstreams: new Map(setup.prometheusUrl ? [[PROMETHEUS_UID, setup.prometheusUrl]] : []),
      denied: new Set(),
      getOnly: new Set(),
      unavailable: new Set(),
      forwarded: [],
    };

    /**
     * The Prometheus data source's resource route as Grafana serves it: `pkg/api/datasources.go`
     * CallDatasourceResourceWithUID checks the data source (403 without permission, 500 for an unknown uid), then
     * Grafana's Prometheus library relays the call with the same method, body and query string and hands back
     * Prometheus's status and body (`pkg/promlib/client/client.go` QueryResource, `pkg/promlib/resource/resource.go`
     * Execute); a transport error or the data proxy timeout is pluginError's 500. For a data source set to GET, a
     * POST is answered 405 with no body before it leaves Grafana (`pkg/promlib/middleware/force_http_get.go`).
     */
    const serveResource = async (route: Route, uid: string, rest: string, search: string): Promise<void> => {
      if (grafana.denied.has(uid)) {
        return grafanaError(route, 403, 'Access denied to datasource');
      }
      const base = grafana.upstreams.get(uid);
      if (!base) {
        return grafanaError(route, 500, 'Unable to load datasource meta data');
      }
      if (grafana.unavailable.has(uid)) {
        return pluginError(route, 'plugin.unavailable');
      }
      if (grafana.getOnly.has(uid) && route.request().method() === 'POST') {
        // ForceHttpGet's answer has no headers and no body; Grafana adds the JSON content type.
        return route.fulfill({ status: 405, contentType: 'application/json', body: '' });
      }
      const target = `${base.replace(/\/+$/, '')}/${rest}${search}`;
      grafana.forwarded.push(target);
      const request = route.request();
      let response;
      try {
        response = await route.fetch({
          url: target,
          method: request.method(),
          postData: request.postDataBuffer() ?? undefined,
          headers: { 'content-type': request.headers()['content-type'] ?? 'application/x-www-form-urlencoded' },
          timeout: GRAFANA_DATAPROXY_TIMEOUT_MS,
        });
      } catch {
        // The page may have given up already (its own time limit); fulfilling then fails harmlessly.
        return pluginError(route, 'plugin.requestFailureError').catch(() => undefined);
      }
      const headers = { ...response.headers() };
      delete headers['set-cookie'];
      return route
        .fulfill({
          status: response.status(),
          headers: { 'content-type': 'application/json', ...headers },
          body: await response.body(),
        })
        .catch(() => undefined);
    };
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // Failed loads are judged by `missing` (plugin files) rather than by Chromium's generic console line.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        errors.push(`console.error: ${msg.text()}`);
      }
    });

    await page.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (subPath && !url.pathname.startsWith(`${subPath}/`)) {
        // Under a sub-path, Grafana serves nothing outside it: a URL that lost the sub-path is a broken link.
        missing.push(url.toString());
        return route.fulfill({ status: 404, contentType: 'text/plain', body: 'outside the sub-path' });
      }
      const path = url.pathname.slice(subPath.length);
      if (path === '/' || path === '/index.html' || GRAFANA_PAGE.test(path)) {
        // Grafana answers every page of its single-page app with index.html.
        return route.fulfill({ status: 200, contentType: 'text/html', body: hostHtml(subPath) });
      }
      if (path.startsWith('/host/')) {
        return serveFile(route, join(setup.hostDir, path.slice('/host/'.length)), missing);
      }
      const plugin = /^\/public\/plugins\/([^/]+)\/(.+)$/.exec(path);
      if (plugin && PLUGIN_DIRS[plugin[1]]) {
        const file = inside(PLUGIN_DIRS[plugin[1]], plugin[2]);
        return file ? serveFile(route, file, missing) : route.fulfill({ status: 403, body: 'forbidden' });
      }
      const resource = /^\/api\/datasources\/uid\/([^/]+)\/resources\/(.*)$/.exec(path);
      if (resource) {
        return serveResource(route, decodeURIComponent(resource[1]), resource[2], url.search);
      }
      const icon = /^\/public\/(?:build\/)?img\/icons\/(.+)$/.exec(path);
      if (icon) {
        // A few icons (e.g. the spinner) ship only with Grafana itself: those stay blank, which is harmless here.
        const file = inside(ICONS, icon[1]);
        return file ? serveFile(route, file, []) : route.fulfill({ status: 403, body: 'forbidden' });
      }
      if (path.startsWith('/public/plugins/')) {
        // A plugin asked for a file under a plugin id this Grafana does not know: a wrong public path.
        missing.push(url.toString());
        return route.fulfill({ status: 404, body: 'not found' });
      }
      if (path.startsWith('/public/')) {
        // Grafana's own static assets (fonts, images) are not part of this harness; answer quietly.
        return route.fulfill({ status: 404, body: '' });
      }
      missing.push(url.toString());
      return route.fulfill({ status: 404, contentType: 'application/json', body: '{"message":"not found"}' });
    });

    await page.goto(`${ORIGIN}${subPath}/`);
    await page.waitForFunction(() => !!(window as unknown as { __host?: unknown }).__host);

    const host: HostPage = {
      page,
      setup,
      missing,
      errors,
      grafana,
      async screenshot(name: string) {
        const file = join(SCREENSHOT_DIR, `${name}.png`);
        await page.locator('[data-testid="host-view"]').screenshot({ path: file, animations: 'disabled' });
        return file;
      },
    };
    await use(host);
    // A page may still be querying when a test ends (e.g. a scan it started on render); let those requests go.
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    if (testInfo.status !== testInfo.expectedStatus && (missing.length > 0 || errors.length > 0)) {
      // A failed wait for an element says little by itself; the usual cause is one of these.
      console.error(
        `host page: missing files ${JSON.stringify(missing)}\nhost page: errors ${JSON.stringify(errors, null, 1)}`
      );
    }
  },
});

export { expect };
