// What Prometheus says beside a result: `warnings` (since 2.48 for PromQL) and `infos` (since 2.54). A scan sends a
// dozen queries that often say the same thing, so they are collected once, distinct, and capped as Prometheus caps
// them itself (`util/annotations/annotations.go` AsStrings: at most 10 of each, then "N more … annotations omitted").
// Thanos folds infos into its warnings; they are then shown as warnings, as it sent them.

export type NoticeKind = 'warning' | 'info';

/** Most distinct messages of each kind kept; Prometheus's own limit per answer. */
export const MAX_MESSAGES_PER_KIND = 10;

const OMITTED = /^(\d+) more (warning|info) annotations omitted$/;

export interface Notices {
  warnings: string[];
  infos: string[];
}

export interface NoticeCollector {
  add(message: string, kind?: NoticeKind): void;
  /** The distinct messages of each kind, at most MAX_MESSAGES_PER_KIND, then one "N more … omitted" line. */
  result(): Notices;
}

export function omittedLine(count: number, kind: NoticeKind): string {
  return `${count} more ${kind} annotations omitted`;
}

export function createNoticeCollector(max = MAX_MESSAGES_PER_KIND): NoticeCollector {
  const kept: Record<NoticeKind, Set<string>> = { warning: new Set(), info: new Set() };
  const dropped: Record<NoticeKind, Set<string>> = { warning: new Set(), info: new Set() };
  // Prometheus's own "N more omitted" lines, summed per kind: the messages behind them were never seen here.
  const unseen: Record<NoticeKind, number> = { warning: 0, info: 0 };
  const finish = (kind: NoticeKind): string[] => {
    const more = dropped[kind].size + unseen[kind];
    return more > 0 ? [...kept[kind], omittedLine(more, kind)] : [...kept[kind]];
  };
  return {
    add(message, kind = 'warning') {
      const text = message.trim();
      if (text === '') {
        return;
      }
      const omitted = OMITTED.exec(text);
      if (omitted) {
        unseen[omitted[2] as NoticeKind] += Number(omitted[1]);
        return;
      }
      if (kept[kind].has(text)) {
        return;
      }
      if (kept[kind].size < max) {
        kept[kind].add(text);
      } else {
        dropped[kind].add(text);
      }
    },
    result: () => ({ warnings: finish('warning'), infos: finish('info') }),
  };
}
