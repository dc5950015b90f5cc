import { locationUtil } from '@grafana/data';

/**
 * The href of a link to a Grafana path (`/d/<uid>`, `/a/<app>/…`, `/connections/…`): Grafana's sub-path
 * (`config.appSubUrl`, e.g. `/grafana` when Grafana is served under https://host/grafana/) in front, as Grafana's own
 * dashboard and data links get it (locationUtil.assureBaseUrl, which Grafana initialises at boot). The paths
 * themselves stay without it: react-router, the alert rules' runbook URLs and Grafana's click handling (which strips
 * the sub-path again before routing) take them as they are.
 */
export function grafanaHref(path: string): string {
  return locationUtil.assureBaseUrl(path);
}

/**
 * Grafana's sub-path alone ('' at the root, '/grafana' under a sub-path), read through locationUtil like the links
 * above rather than from @grafana/runtime's `config`, whose boot-config type changes between Grafana releases
 * (levitate reports it incompatible from 12.4 to 13).
 */
export function grafanaSubPath(): string {
  return grafanaHref('/').replace(/\/$/, '');
}
