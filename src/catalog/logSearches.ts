// Log searches for the catalog's error signatures, grouped by the insight they point to: a ready LogQL query per
// insight and per signature, and a Grafana Explore link for an episode's window when a Loki data source exists.
// The signature text is matched literally: a line filter is a Go-style string (escape.ts's escapeExact follows the
// same rules), and the regex that joins several signatures quotes RE2's metacharacters first.
import { escapeExact, quoteRegexMeta } from '../prometheus/escape';
import { INSIGHTS, getErrorSignature } from './catalog';
import type { ErrorSignature, InsightId } from './types';

/** Where Prefect's logs usually are in Loki: Loki 3 derives `service_name` from the sender (OTel, Docker, Alloy). */
export const DEFAULT_LOG_STREAM_SELECTOR = '{service_name=~".*prefect.*"}';

export interface LogSearch {
  insightId: InsightId;
  /** The insight's catalog title. */
  title: string;
  signatures: Array<ErrorSignature & { query: string }>;
  /** One query for all of the insight's signatures. */
  query: string;
}

/** `|= "text"`: lines containing `text` exactly. */
export function lineFilter(text: string): string {
  return `|= "${escapeExact(text)}"`;
}

/** `|~ "a|b"`: lines containing any of the texts, each matched literally. */
export function anyLineFilter(texts: string[]): string {
  if (texts.length === 0) {
    throw new RangeError('anyLineFilter needs at least one text');
  }
  if (texts.length === 1) {
    return lineFilter(texts[0]);
  }
  return `|~ "${escapeExact(texts.map(quoteRegexMeta).join('|'))}"`;
}

export function logQuery(texts: string[], streamSelector = DEFAULT_LOG_STREAM_SELECTOR): string {
  return `${streamSelector} ${anyLineFilter(texts)}`;
}

/** Every insight with error signatures, in catalog order, with its queries. */
export function logSearches(streamSelector = DEFAULT_LOG_STREAM_SELECTOR): LogSearch[] {
  return INSIGHTS.filter((i) => i.errorSignatures.length > 0).map((insight) => ({
    insightId: insight.id,
    title: insight.title,
    signatures: insight.errorSignatures.map((text) => ({
      text,
      kind: getErrorSignature(text)?.kind ?? 'log pattern',
      query: logQuery([text], streamSelector),
    })),
    query: logQuery(insight.errorSignatures, streamSelector),
  }));
}

export function logSearchFor(id: InsightId, streamSelector = DEFAULT_LOG_STREAM_SELECTOR): LogSearch | undefined {
  return logSearches(streamSelector).find((s) => s.insightId === id);
}

export interface ExploreLinkOptions {
  /** uid of the Loki data source. */
  lokiUid: string;
  query: string;
  /** unix ms */
  from: number;
  /** unix ms */
  to: number;
  /** Grafana's sub-path (config.appSubUrl), '' at the root. */
  appSubUrl?: string;
  /** Widens the window on both sides so the lines around the episode's edges show too (ms, default 5 min). */
  padMs?: number;
}

/**
 * An Explore link in Grafana's URL schema 1 (`/explore?schemaVersion=1&panes={"<id>":{…}}`). Grafana keeps a pane
 * id only if it is 3 characters of its id alphabet with a letter, and a range only if `from` and `to` are strings
 * (public/app/features/explore/hooks/useStateSync/migrators/v1.ts in grafana/grafana); epoch milliseconds as
 * strings are read as absolute times.
 */
export function exploreUrl(opts: ExploreLinkOptions): string {
  const pad = opts.padMs ?? 5 * 60_000;
  const panes = {
    pfi: {
      datasource: opts.lokiUid,
      queries: [{ refId: 'A', expr: opts.query, queryType: 'range', datasource: { type: 'loki', uid: opts.lokiUid } }],
      range: { from: String(Math.floor(opts.from - pad)), to: String(Math.ceil(opts.to + pad)) },
    },
  };
  // No orgId: Grafana opens it in the user's current organisation.
  const params = new URLSearchParams({ schemaVersion: '1', panes: JSON.stringify(panes) });
  return `${(opts.appSubUrl ?? '').replace(/\/+$/, '')}/explore?${params.toString()}`;
}

/**
 * The text an annotation can append for an episode: one line per insight query, with the Explore link when a Loki
 * data source is known. Plain text; the annotation renderer escapes it like any other value.
 */
export function logSearchText(id: InsightId, episode: { start: number; end: number }, lokiUid?: string): string {
  const search = logSearchFor(id);
  if (!search) {
    return '';
  }
  const link = lokiUid
    ? `\nExplore: ${exploreUrl({ lokiUid, query: search.query, from: episode.start, to: episode.end })}`
    : '';
  return `Log search (LogQL): ${search.query}${link}`;
}
