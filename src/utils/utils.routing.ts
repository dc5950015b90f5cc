import {
  OVERVIEW_DASHBOARD_UID,
  PLUGIN_BASE_URL,
  ROUTES,
  ROUTES_DASHBOARD_UID,
  TIMELINE_DASHBOARD_UID,
} from '../constants';

/** Prefixes an app route with the app's base URL. */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}

/** Link to the advice page, scrolled to one insight (the annotations of the data source link here too). */
export function adviceUrl(insightId?: string): string {
  const base = prefixRoute(ROUTES.Advice);
  return insightId ? `${base}?insight=${encodeURIComponent(insightId)}` : base;
}

export function catalogueUrl(insightId?: string): string {
  const base = prefixRoute(ROUTES.Insights);
  return insightId ? `${base}#insight-${encodeURIComponent(insightId)}` : base;
}

export const OVERVIEW_DASHBOARD_URL = `/d/${OVERVIEW_DASHBOARD_UID}`;
export const ROUTES_DASHBOARD_URL = `/d/${ROUTES_DASHBOARD_UID}`;
export const TIMELINE_DASHBOARD_URL = `/d/${TIMELINE_DASHBOARD_UID}`;

/** Where Grafana lets the user add a data source of our type. */
export function newDataSourceUrl(type: string): string {
  return `/connections/datasources/${encodeURIComponent(type)}`;
}
