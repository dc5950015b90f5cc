// The table the incident timeline prints (the style of report.ts): per injected incident or quiet stretch, what
// was done when, what `prefect-insights scan` found, its evidence, and the verdict; then any insight nobody injected.
import { clock, type Injected } from './harness/timeline';

export interface FoundInsight {
  id: string;
  start: number;
  end: number;
  summary: string;
}

export interface Verdict {
  injected: Injected;
  /** The findings matched to it (none, one, or too many). */
  found: FoundInsight[];
  ok: boolean;
  why: string;
}

/** Edges of a detection may be this far from the injected ones (the brief: within 1 minute). */
export const EDGE_TOLERANCE_MS = 60_000;

const window = (start: number, end: number) => `${clock(start)}–${clock(end)} (${Math.round((end - start) / 1000)} s)`;

/** Overlap (ms) of a finding with an injected window widened by the tolerance; negative when apart. */
function overlap(inj: Injected, f: FoundInsight): number {
  return Math.min(f.end, inj.end + EDGE_TOLERANCE_MS) - Math.max(f.start, inj.start - EDGE_TOLERANCE_MS);
}

/**
 * Each finding goes to the injected stretch it overlaps most (an incident of its own id first, then any stretch):
 * a finding over a quiet stretch is a false alarm there, a finding of another id over an incident is a wrong
 * signature for it, a finding overlapping nothing is unexplained.
 */
export function judge(
  injected: Injected[],
  found: FoundInsight[]
): { verdicts: Verdict[]; unexplained: FoundInsight[] } {
  const owner = new Map<FoundInsight, Injected>();
  for (const f of found) {
    const best = (pool: Injected[]) =>
      pool.filter((i) => overlap(i, f) >= 0).sort((a, b) => overlap(b, f) - overlap(a, f))[0];
    const own = best(injected.filter((i) => i.insight === f.id));
    const any = own ?? best(injected);
    if (any) {
      owner.set(f, any);
    }
  }
  const verdicts = injected.map((inj): Verdict => {
    const mine = found.filter((f) => owner.get(f) === inj);
    const same = mine.filter((f) => f.id === inj.insight);
    const other = mine.filter((f) => f.id !== inj.insight);
    if (inj.insight === null) {
      return {
        injected: inj,
        found: mine,
        ok: mine.length === 0,
        why: mine.length === 0 ? 'nothing fired' : `false alarm: ${mine.map((f) => f.id).join(', ')}`,
      };
    }
    if (same.length !== 1 || other.length > 0) {
      const parts = [same.length === 0 ? 'not found' : same.length > 1 ? `${same.length} episodes` : 'found'];
      if (other.length > 0) {
        parts.push(`seen as ${other.map((f) => f.id).join(', ')}`);
      }
      return { injected: inj, found: mine, ok: false, why: parts.join('; ') };
    }
    const dStart = (same[0].start - inj.start) / 1000;
    const dEnd = (same[0].end - inj.end) / 1000;
    const edges = `start ${dStart >= 0 ? '+' : ''}${dStart.toFixed(0)} s, end ${dEnd >= 0 ? '+' : ''}${dEnd.toFixed(0)} s`;
    const ok = Math.abs(dStart) * 1000 <= EDGE_TOLERANCE_MS && Math.abs(dEnd) * 1000 <= EDGE_TOLERANCE_MS;
    return { injected: inj, found: same, ok, why: ok ? `found, ${edges}` : `edges off: ${edges}` };
  });
  return { verdicts, unexplained: found.filter((f) => !owner.has(f)) };
}

export function formatIncidentTable(
  header: string[],
  verdicts: Verdict[],
  unexplained: FoundInsight[],
  notes: string[]
): string {
  const lines = [...header];
  lines.push(
    `${'insight'.padEnd(22)} ${'injected'.padEnd(28)} ${'detected'.padEnd(28)} ${'verdict'.padEnd(34)} evidence`
  );
  for (const v of verdicts) {
    const name = v.injected.insight ?? `(quiet) ${v.injected.label}`;
    const detected = v.found.length === 0 ? '-' : v.found.map((f) => window(f.start, f.end)).join(' + ');
    const evidence = v.found.map((f) => `${f.id}: ${f.summary}`).join(' | ') || '-';
    lines.push(
      `${name.padEnd(22)} ${window(v.injected.start, v.injected.end).padEnd(28)} ${detected.padEnd(28)} ${`${v.ok ? 'PASS' : 'FAIL'} ${v.why}`.padEnd(34)} ${evidence}`
    );
  }
  for (const f of unexplained) {
    lines.push(
      `${f.id.padEnd(22)} ${'(nothing injected)'.padEnd(28)} ${window(f.start, f.end).padEnd(28)} ${'FAIL false alarm'.padEnd(34)} ${f.summary}`
    );
  }
  for (const v of verdicts) {
    for (const n of v.injected.notes) {
      lines.push(`  ${v.injected.insight ?? v.injected.label}: ${n}`);
    }
  }
  lines.push(...notes);
  return lines.join('\n');
}
