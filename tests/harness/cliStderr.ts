// What a scan prints on stderr besides Prometheus's PromQL infos. Prometheus 3 (and Thanos, as warnings) notes that
// histogram_quantile "needed to be fixed for monotonicity" whenever buckets were scraped a moment apart, which the
// CLI rightly passes on as `info: PromQL info: …` (nothing is silent); a test that expects a clean stderr means "no
// warning, no error", so only those lines are taken out. Any other line, an unknown info included, is kept.
const PROMQL_INFO_LINE = /^info: PromQL info: .*\n?/gm;

export function stderrBesidesInfos(stderr: string): string {
  return stderr.replace(PROMQL_INFO_LINE, '');
}
