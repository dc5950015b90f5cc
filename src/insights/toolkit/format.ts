// Numbers as they appear in evidence. Every formatter is NaN-safe because series have gaps.

const NOT_AVAILABLE = 'n/a';

/** Seconds for humans: "41.2 s", "3 s", "450 ms". */
export function formatSeconds(seconds: number): string {
  if (Number.isNaN(seconds)) {
    return NOT_AVAILABLE;
  }
  if (seconds === Infinity) {
    return '∞';
  }
  if (Math.abs(seconds) < 1) {
    return `${roundTo(seconds * 1000, seconds * 1000 < 10 ? 1 : 0)} ms`;
  }
  return `${roundTo(seconds, seconds < 100 ? 1 : 0)} s`;
}

/** A share 0..1 as "12 %" ("0.4 %" below one percent, so a small but visible share is not shown as 0). */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) {
    return NOT_AVAILABLE;
  }
  const pct = share * 100;
  return `${roundTo(pct, Math.abs(pct) < 1 && pct !== 0 ? 1 : 0)} %`;
}

/** A share that may be tiny but is not nothing: "< 0.1 %" rather than a rounded "0 %". */
export function formatSmallShare(share: number): string {
  return share > 0 && share < 0.001 ? '< 0.1 %' : formatPercent(share);
}

/** A ratio as "×5.3". */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) {
    return NOT_AVAILABLE;
  }
  return `×${roundTo(ratio, ratio < 10 ? 1 : 0)}`;
}

/**
 * True when a histogram quantile lies in the +Inf bucket: Prometheus then returns the largest finite bound,
 * which is a floor, not the value.
 */
export function isAboveLargestBucket(quantile: number, largestBucket: number | null): boolean {
  return largestBucket !== null && largestBucket > 0 && quantile >= largestBucket;
}

/** A quantile for evidence: never reports the largest bucket bound as if it were the value. */
export function formatQuantile(quantile: number, largestBucket: number | null): string {
  if (Number.isNaN(quantile)) {
    return NOT_AVAILABLE;
  }
  if (isAboveLargestBucket(quantile, largestBucket)) {
    return `above the largest bucket (≥ ${formatSeconds(largestBucket as number)})`;
  }
  return formatSeconds(quantile);
}

/** Rounds for the numeric evidence fields; NaN and infinities become null (JSON has no NaN). */
export function figure(value: number, digits = 3): number | null {
  return Number.isFinite(value) ? roundTo(value, digits) : null;
}

function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Evidence note when the baseline rests on less than the contract's 6 h. Empty when the history was complete. */
export function historyNote(hours: number): string {
  if (!Number.isFinite(hours)) {
    return '; no baseline history';
  }
  return hours < 6 - 1e-9 ? `; baseline from ${roundTo(hours, 1)} h of history` : '';
}
