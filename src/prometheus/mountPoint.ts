// Prefect serves its API as a FastAPI app mounted at `/api` inside a root FastAPI app. `opentelemetry-instrument`
// patches the FastAPI class, so both apps get OpenTelemetry's middleware and each API request is recorded once per
// app. What that looks like in Prometheus depends on the conventions (seen on Prefect 3.9.1, contrib 0.66b2):
// - stable (`OTEL_SEMCONV_STABILITY_OPT_IN=http`): the root app reports `http.route="/api"` (the mount's path) for
//   every API request, the mounted app its own template (`/flow_runs/{id:uuid}`). The `/api` series are a second
//   copy of all the others: left out of every query, never added to a route.
// - older (default): both apps report the same `http.target` (`/api/flow_runs/{id}`, the scope is shared), so the
//   two records land in one series and its count is doubled; no label tells them apart.
import { labelMatcher } from './escape';

/** Route label values of the root app's copy (the mount point). */
const MOUNT_ROUTES = new Set(['/api', '/api/']);

export const MOUNT_POINT_FIX =
  'run the server under `opentelemetry-instrument` so that the mounted API app is instrumented too (its routes ' +
  'then arrive beside `/api`), or leave `OTEL_SEMCONV_STABILITY_OPT_IN` unset so that `http.target` carries ' +
  'the full route template';

export const DOUBLED_LAYERS_NOTE =
  "OpenTelemetry's older conventions record each API request once for Prefect's root app and once for the mounted " +
  '`/api` app with the same labels, so request counts and rates read double (quantiles are hardly affected); ' +
  'set `OTEL_SEMCONV_STABILITY_OPT_IN=http` to get the routes without the doubling';

export function isMountPoint(route: string): boolean {
  return MOUNT_ROUTES.has(route);
}

/** The matchers that drop the mount-point series, or [] when the data has none. */
export function mountPointMatchers(routeLabel: string, routes: Iterable<string>): string[] {
  return [...new Set(routes)]
    .filter(isMountPoint)
    .sort()
    .map((r) => labelMatcher(routeLabel, '!=', r));
}

/**
 * Whether the series look like Prefect under auto-instrumentation with the older conventions: the FastAPI
 * instrumentation's scope and route templates under the `/api` mount.
 */
export function looksDoubled(conventionId: string, series: Array<Record<string, string>>, routeLabel: string): boolean {
  return (
    conventionId === 'otel-legacy-ms' &&
    series.some(
      (s) => s.otel_scope_name === 'opentelemetry.instrumentation.fastapi' && (s[routeLabel] ?? '').startsWith('/api/')
    )
  );
}
