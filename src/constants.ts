import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

/** Type id of the nested data source; pages look it up by this id. */
export const DATASOURCE_TYPE = 'prefectinsights-api-datasource';

/**
 * uids of the bundled dashboards. Fixed, because Grafana builds a dashboard include's nav URL from its uid
 * (`/d/<uid>`, Includes.DashboardURLPath in pkg/plugins/plugins.go) and the pages link to them the same way.
 */
export const OVERVIEW_DASHBOARD_UID = 'prefect-api-overview';
export const ROUTES_DASHBOARD_UID = 'prefect-api-routes';
export const TIMELINE_DASHBOARD_UID = 'prefect-insights-timeline';

export enum ROUTES {
  Overview = 'overview',
  Advice = 'advice',
  Insights = 'insights',
}
