// Episodes as region annotations (catalog advice attached) and as per-insight status.
// Grafana renders an annotation's text as sanitized HTML (AnnotationTooltipBody in grafana/grafana), so the text is
// deliberate HTML built by ./html: every value (routes come from whoever sends requests to the Prefect server) is
// escaped, structure uses elements Grafana's sanitizer keeps (b, div, ul, li, code, a), the advice is a real link.
import { DETECTABLE_INSIGHT_IDS, getCommand, getInsight, getParameter } from '../catalog/catalog';
import { exploreUrl, logSearchFor } from '../catalog/logSearches';
import { SEVERITY_RANK, type DetectableInsightId, type Severity } from '../catalog/types';
import { el, join, link, type Html } from './html';
import type { Episode } from './types';

export interface InsightAnnotation {
  /** unix ms */
  time: number;
  /** unix ms */
  timeEnd: number;
  title: string;
  /** HTML (escaped values, sanitizer-safe elements), as Grafana's annotation tooltip expects. */
  text: string;
  tags: string[];
  severity: Severity;
  id: DetectableInsightId;
  /** how many episodes this region stands for (1 unless merged) */
  episodes: number;
}

export interface AnnotationOptions {
  /** Upper bound on the number of regions; more episodes are merged, then the least severe dropped. */
  max?: number;
  /** The app's advice page, e.g. `/a/prefectinsights-api-app/advice`; `?insight=<id>` is appended. */
  advicePageUrl: string;
  /**
   * Grafana's sub-path (`config.appSubUrl`, e.g. `/grafana`; '' at the root), put in front of the advice and Explore
   * links: an annotation's HTML is rendered as is, so its links get no help from Grafana's link handling.
   */
  appSubUrl?: string;
  /** A Loki data source's uid: the log search then also links to Explore over the region's window. */
  lokiUid?: string;
}

/** Regions per annotation query unless the query says otherwise: many regions stall panels (grafana#27474). */
export const DEFAULT_MAX_ANNOTATIONS = 200;
const MAX_ROUTES_IN_TEXT = 12;

interface Group {
  first: Episode;
  members: Episode[];
  start: number;
  end: number;
}

export function adviceLink(advicePageUrl: string, id: DetectableInsightId): string {
  const sep = advicePageUrl.includes('?') ? '&' : '?';
  return `${advicePageUrl}${sep}insight=${encodeURIComponent(id)}`;
}

export function episodesToAnnotations(episodes: Episode[], options: AnnotationOptions): InsightAnnotation[] {
  const max = Math.max(1, Math.floor(options.max ?? DEFAULT_MAX_ANNOTATIONS));
  let groups = mergeClosest(episodes, max);
  if (groups.length > max) {
    groups = groups
      .slice()
      .sort((a, b) => severityOf(b) - severityOf(a) || b.end - b.start - (a.end - a.start) || a.start - b.start)
      .slice(0, max);
  }
  return groups.sort((a, b) => a.start - b.start || severityOf(b) - severityOf(a)).map((g) => toAnnotation(g, options));
}

function severityOf(g: Group): number {
  let rank = 0;
  for (const e of g.members) {
    rank = Math.max(rank, SEVERITY_RANK[e.severity]);
  }
  return rank;
}

/**
 * Merges same-id episodes across the smallest gaps first until at most `max` groups remain (or nothing of the
 * same id is left to merge): "close together" is relative to the range, so a month-long view stays readable.
 */
function mergeClosest(episodes: Episode[], max: number): Group[] {
  const byId = new Map<string, Episode[]>();
  for (const e of episodes) {
    const list = byId.get(e.id);
    if (list) {
      list.push(e);
    } else {
      byId.set(e.id, [e]);
    }
  }
  const excess = episodes.length - max;
  const mergeAfter = new Set<Episode>();
  if (excess > 0) {
    const gaps: Array<{ after: Episode; gap: number }> = [];
    for (const list of byId.values()) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) {
        gaps.push({ after: list[i - 1], gap: list[i].start - list[i - 1].end });
      }
    }
    gaps.sort((a, b) => a.gap - b.gap);
    for (let i = 0; i < Math.min(excess, gaps.length); i++) {
      mergeAfter.add(gaps[i].after);
    }
  }
  const groups: Group[] = [];
  for (const list of byId.values()) {
    if (excess <= 0) {
      list.sort((a, b) => a.start - b.start);
    }
    let current: Group | null = null;
    for (const e of list) {
      if (current) {
        current.members.push(e);
        current.start = Math.min(current.start, e.start);
        current.end = Math.max(current.end, e.end);
      } else {
        current = { first: e, members: [e], start: e.start, end: e.end };
      }
      if (!mergeAfter.has(e)) {
        groups.push(current);
        current = null;
      }
    }
    if (current) {
      groups.push(current);
    }
  }
  return groups;
}

function toAnnotation(group: Group, { advicePageUrl, lokiUid, appSubUrl = '' }: AnnotationOptions): InsightAnnotation {
  // The most severe, then longest, member speaks for a merged group.
  const lead = group.members.reduce((best, e) =>
    SEVERITY_RANK[e.severity] > SEVERITY_RANK[best.severity] ||
    (SEVERITY_RANK[e.severity] === SEVERITY_RANK[best.severity] && e.end - e.start > best.end - best.start)
      ? e
      : best
  );
  const insight = getInsight(lead.id);
  const routes = [...new Set(group.members.flatMap((e) => e.routes))].sort();
  const blocks: Html[] = [el('div', el('b', insight.title), ` (${lead.severity})`)];
  if (group.members.length > 1) {
    blocks.push(el('div', `${group.members.length} episodes merged; evidence of the most severe one below.`));
  }
  if (routes.length > 0) {
    const shown = join(
      routes.slice(0, MAX_ROUTES_IN_TEXT).map((r) => el('code', r)),
      ', '
    );
    const more = routes.length > MAX_ROUTES_IN_TEXT ? ` and ${routes.length - MAX_ROUTES_IN_TEXT} more` : '';
    blocks.push(el('div', 'Routes: ', shown, more));
  }
  blocks.push(el('div', 'Evidence: ', lead.evidence.summary));
  if (typeof lead.evidence.readFrom === 'string') {
    // Which source and resolution the region was found at (src/insights/engine/source.ts), as written.
    blocks.push(el('div', `Data: ${lead.evidence.readFrom}.`));
  }
  blocks.push(...adviceHtml(lead.id));
  blocks.push(...logSearchHtml(lead.id, group, lokiUid, appSubUrl));
  const advice = `${appSubUrl.replace(/\/+$/, '')}${adviceLink(advicePageUrl, lead.id)}`;
  blocks.push(el('div', link(advice, 'Open the advice for this insight')));
  return {
    time: group.start,
    timeEnd: group.end,
    title: insight.title,
    text: join(blocks).html,
    tags: [lead.severity, lead.id],
    severity: lead.severity,
    id: lead.id,
    episodes: group.members.length,
  };
}

/** The insight's ready LogQL query, and an Explore link over the region's window when a Loki data source is known. */
function logSearchHtml(
  id: DetectableInsightId,
  window: { start: number; end: number },
  lokiUid: string | undefined,
  appSubUrl: string
): Html[] {
  const search = logSearchFor(id);
  if (!search) {
    return [];
  }
  const blocks = [el('div', 'Log search (LogQL): ', el('code', search.query))];
  if (lokiUid) {
    const url = exploreUrl({ lokiUid, query: search.query, from: window.start, to: window.end, appSubUrl });
    blocks.push(el('div', link(url, 'Search the logs of this window in Explore')));
  }
  return blocks;
}

function list(heading: string, items: Html[]): Html[] {
  return items.length === 0 ? [] : [el('div', heading), el('ul', ...items.map((i) => el('li', i)))];
}

/** The catalog's advice for an insight as HTML blocks (settings, log signatures, commands). */
export function adviceHtml(id: DetectableInsightId): Html[] {
  const insight = getInsight(id);
  const settings = insight.parameters.map((name) => {
    const p = getParameter(name);
    const env = p && p.setting !== name ? ` (${p.setting})` : '';
    const rec = p?.recommended != null ? `: recommended ${p.recommended}` : '';
    return join([el('code', name), env, rec]);
  });
  const command = (c: string) => el('code', c);
  const diagnostic = insight.commands.filter((c) => getCommand(c)?.kind !== 'remediation');
  const remediation = insight.commands.filter((c) => getCommand(c)?.kind === 'remediation');
  return [
    ...list('Settings to check:', settings),
    ...list(
      'Search logs for:',
      insight.errorSignatures.map((s) => el('code', s))
    ),
    ...list('Diagnose:', diagnostic.map(command)),
    ...list('Remediate:', remediation.map(command)),
  ];
}

/** 'no data': the metric had no sample in the range, so nothing can be said (never shown as 'clear'). */
export type InsightStatusValue = 'firing' | 'seen' | 'clear' | 'no data';

export interface InsightStatus {
  id: DetectableInsightId;
  title: string;
  severity: Severity;
  status: InsightStatusValue;
  /** unix ms: end of the latest episode */
  lastSeen?: number;
}

/**
 * One status per detectable insight: 'firing' when an episode reaches the end of the range (within two grid steps
 * of `toMs`, because the last points of a range may not be scraped yet), 'seen' when one occurred, else 'clear';
 * 'no data' for every insight when the scan found no sample in the range (ScanResult.noData).
 */
export function insightStatuses(
  episodes: Episode[],
  toMs: number,
  stepMs = 60_000,
  opts: { noData?: boolean } = {}
): InsightStatus[] {
  return DETECTABLE_INSIGHT_IDS.map((id) => {
    if (opts.noData) {
      const insight = getInsight(id);
      return { id, title: insight.title, severity: insight.severity, status: 'no data' as const };
    }
    const insight = getInsight(id);
    let lastSeen: number | undefined;
    for (const e of episodes) {
      if (e.id === id && (lastSeen === undefined || e.end > lastSeen)) {
        lastSeen = e.end;
      }
    }
    const status: InsightStatusValue =
      lastSeen === undefined ? 'clear' : lastSeen >= toMs - 2 * stepMs ? 'firing' : 'seen';
    const base = { id, title: insight.title, severity: insight.severity, status };
    return lastSeen === undefined ? base : { ...base, lastSeen };
  });
}
