// Reads the data source's 'insights' (episodes) and 'insightStatus' table frames into plain rows. Structural
// types only, so this runs in Node tests without Grafana; frames are told apart by their fields, not by refId.
import type { InsightId, Severity } from '../../catalog/types';
import { EPISODE_FIELD as F, type EpisodeFigures } from '../../insights/episodeFrame';
import type { DetectedInsight, InsightStatusValue } from './parameterVerdicts';

export interface FrameLike {
  refId?: string;
  fields: ReadonlyArray<{ name: string; values: ArrayLike<unknown> | Iterable<unknown> }>;
}

export interface EpisodeRow {
  id: InsightId;
  severity: Severity;
  title: string;
  start: number;
  end: number;
  routes: string[];
  summary: string;
  /** The evidence's figures (e.g. inFlightPeak, poolCapacity); empty when the frame has none. */
  figures: EpisodeFigures;
}

export interface StatusRow {
  id: InsightId;
  title: string;
  severity: Severity;
  status: InsightStatusValue;
  lastSeen?: number;
}

function column(frame: FrameLike, name: string): unknown[] | undefined {
  const field = frame.fields.find((f) => f.name === name);
  return field ? Array.from(field.values as ArrayLike<unknown>) : undefined;
}

function rowCount(frame: FrameLike): number {
  return frame.fields.reduce((n, f) => Math.max(n, Array.from(f.values as ArrayLike<unknown>).length), 0);
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') {
    return v;
  }
  if (v instanceof Date) {
    return v.getTime();
  }
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? n : Date.parse(v);
  }
  return NaN;
}

/** Routes are a list by contract; anything else is not split apart (a route may contain a comma). */
function toRoutes(v: unknown): string[] {
  if (Array.isArray(v)) {
    return v.map(String);
  }
  return typeof v === 'string' && v.length > 0 ? [v] : [];
}

function toFigures(v: unknown): EpisodeFigures {
  const out: EpisodeFigures = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'number' || typeof x === 'boolean' || x === null) {
        out[k] = x;
      }
    }
  }
  return out;
}

function toSummary(v: unknown): string {
  if (v && typeof v === 'object' && 'summary' in v) {
    return String((v as { summary: unknown }).summary);
  }
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      if (parsed && typeof parsed === 'object' && 'summary' in parsed) {
        return String((parsed as { summary: unknown }).summary);
      }
    } catch {
      // plain text evidence: shown as it is
    }
    return v;
  }
  return v === undefined || v === null ? '' : String(v);
}

function isStatus(v: unknown): v is InsightStatusValue {
  return v === 'firing' || v === 'seen' || v === 'clear' || v === 'no data';
}

export function isStatusFrame(frame: FrameLike): boolean {
  return frame.fields.some((f) => f.name === 'status') && frame.fields.some((f) => f.name === 'id');
}

export function isEpisodeFrame(frame: FrameLike): boolean {
  return [F.id, F.start, F.end].every((n) => frame.fields.some((f) => f.name === n));
}

export function readEpisodes(frames: readonly FrameLike[]): EpisodeRow[] {
  const rows: EpisodeRow[] = [];
  for (const frame of frames.filter(isEpisodeFrame)) {
    const [ids, sev, titles, starts, ends, routes, evidence, figures] = [
      F.id,
      F.severity,
      F.title,
      F.start,
      F.end,
      F.routes,
      F.evidence,
      F.figures,
    ].map((n) => column(frame, n));
    for (let i = 0; i < rowCount(frame); i++) {
      rows.push({
        id: String(ids?.[i]) as InsightId,
        severity: (sev?.[i] ?? 'info') as Severity,
        title: String(titles?.[i] ?? ids?.[i]),
        start: toNumber(starts?.[i]),
        end: toNumber(ends?.[i]),
        routes: toRoutes(routes?.[i]),
        summary: toSummary(evidence?.[i]),
        figures: toFigures(figures?.[i]),
      });
    }
  }
  return rows.sort((a, b) => a.start - b.start);
}

export function readStatuses(frames: readonly FrameLike[]): StatusRow[] {
  const rows: StatusRow[] = [];
  for (const frame of frames.filter(isStatusFrame)) {
    const [ids, titles, sev, statuses, lastSeen] = ['id', 'title', 'severity', 'status', 'lastSeen'].map((n) =>
      column(frame, n)
    );
    for (let i = 0; i < rowCount(frame); i++) {
      const status = statuses?.[i];
      const seen = toNumber(lastSeen?.[i]);
      rows.push({
        id: String(ids?.[i]) as InsightId,
        title: String(titles?.[i] ?? ids?.[i]),
        severity: (sev?.[i] ?? 'info') as Severity,
        status: isStatus(status) ? status : 'clear',
        lastSeen: Number.isFinite(seen) ? seen : undefined,
      });
    }
  }
  return rows;
}

/** Joins statuses and episode counts per insight; an episode without a status row still counts as seen. */
export function detectedInsights(statuses: readonly StatusRow[], episodes: readonly EpisodeRow[]): DetectedInsight[] {
  const counts = new Map<InsightId, number>();
  for (const e of episodes) {
    counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  }
  const out = new Map<InsightId, DetectedInsight>();
  for (const s of statuses) {
    out.set(s.id, { id: s.id, status: s.status, episodes: counts.get(s.id) ?? 0, lastSeen: s.lastSeen });
  }
  for (const [id, n] of counts) {
    if (!out.has(id)) {
      out.set(id, { id, status: 'seen', episodes: n });
    }
  }
  return [...out.values()];
}
