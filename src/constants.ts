import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

/** Type id of the nested data source; pages look it up by this id. */
export const DATASOURCE_TYPE = 'prefectinsights-api-datasource';

/** uid of the bundled "Prefect API overview" dashboard (fixed so links and the nav include stay valid). */
export const OVERVIEW_DASHBOARD_UID = 'prefect-api-overview';

export enum ROUTES {
  Overview = 'overview',
  Advice = 'advice',
  Insights = 'insights',
}
