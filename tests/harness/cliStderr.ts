// What a scan prints on stderr besides Prometheus's PromQL infos. Prometheus 3 (and Thanos, as warnings) notes that
// histogram_quantile "needed to be fixed for monotonicity" whenever buckets were scraped a moment apart, which the
// CLI rightly passes on as `info: PromQL info: …` (nothing is silent); a test that expects a clean stderr means "no
// warning, no error", so only those lines are taken out. Any other line, an unknown info included, is kept.
import { YOUNG_SERIES_INFO_START } from '../../src/insights/engine/youngSeries';

const PROMQL_INFO_LINE = /^info: PromQL info: .*\n?/gm;
/** The scan's one info that a stack started minutes before is owed (src/insights/engine/youngSeries.ts). */
const YOUNG_SERIES_INFO_LINE = new RegExp(
  `^info: ${YOUNG_SERIES_INFO_START.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*\n?`,
  'm'
);

/** `youngSeries`: the caller's stack is minutes old by design, so the young-series info (once) is expected too. */
export function stderrBesidesInfos(stderr: string, opts: { youngSeries?: boolean } = {}): string {
  const rest = stderr.replace(PROMQL_INFO_LINE, '');
  return opts.youngSeries ? rest.replace(YOUNG_SERIES_INFO_LINE, '') : rest;
}
