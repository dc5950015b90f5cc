// The contract of the episodes table frame, written by the data source (datasource/frames.ts) and read by the app
// pages (pages/advice/readInsightFrames.ts): one definition of its field names and of what each field holds.
import type { Episode } from './types';

export const EPISODE_FIELD = {
  id: 'id',
  severity: 'severity',
  title: 'title',
  /** unix ms */
  start: 'start',
  /** unix ms */
  end: 'end',
  /** string[]: the routes involved, never a joined string (a route may contain a comma) */
  routes: 'routes',
  /** string: the evidence's one-line summary */
  evidence: 'evidence',
  /** Record<string, number | boolean | null>: the evidence's figures, hidden in Grafana's table, read by the advice page */
  figures: 'figures',
} as const;

export type EpisodeFigures = Record<string, number | boolean | null>;

/** The numeric and yes/no figures of an episode's evidence (summary and texts left out). */
export function episodeFigures(episode: Episode): EpisodeFigures {
  const out: EpisodeFigures = {};
  for (const [k, v] of Object.entries(episode.evidence)) {
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) {
      out[k] = v;
    }
  }
  return out;
}
