// Which episodes a query or an annotation asks for: insight ids, minimum severity, routes.
import { SEVERITY_RANK, type DetectableInsightId, type Severity } from '../catalog/types';
import type { Episode } from '../insights/types';
import { normalizeRoute } from '../prometheus/routes';
import type { FilterValues } from './variables';

export interface EpisodeFilter {
  insights?: DetectableInsightId[];
  minSeverity?: Severity;
  routes: FilterValues;
}

/**
 * Keeps the episodes of the chosen insights at or above the severity. With a route filter, an episode stays when it
 * touches one of the routes or names no route at all (an outage concerns every route).
 */
export function filterEpisodes(episodes: Episode[], filter: EpisodeFilter): Episode[] {
  const ids = filter.insights && filter.insights.length > 0 ? new Set<string>(filter.insights) : undefined;
  const minRank = SEVERITY_RANK[filter.minSeverity ?? 'info'] ?? 0;
  const routes = filter.routes.all ? undefined : new Set(filter.routes.values.map(normalizeRoute));
  return episodes.filter(
    (e) =>
      (!ids || ids.has(e.id)) &&
      SEVERITY_RANK[e.severity] >= minRank &&
      (!routes || e.routes.length === 0 || e.routes.some((r) => routes.has(normalizeRoute(r))))
  );
}
