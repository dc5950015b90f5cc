// Heuristic factors the detectors share. Prefect's own limits (pool_timeout, request timeout, UI patience) are NOT
// here: they come from ScanInput.settings.

/** Time windows of the detection contract (milliseconds). */
export const PERSISTENCE_SPAN_MS = 2 * 60_000;
export const MERGE_GAP_MS = 5 * 60_000;
export const BASELINE_BLOCK_MS = 5 * 60_000;
export const BASELINE_WINDOW_MS = 6 * 3_600_000;

/** A route is "near baseline" while p95 stays within NEAR_FACTOR × baseline (or baseline + NEAR_SLACK_S). */
export const NEAR_FACTOR = 3;
/** Absolute slack so that a 5 ms route going to 20 ms still counts as near. */
export const NEAR_SLACK_S = 1;
/** "Far above baseline" for db-pool-exhaustion (the contract's p95 ≥ 5×). */
export const FAR_FACTOR = 5;
/** "Most other routes" means more than this share of them. */
export const MOST_SHARE = 0.5;

/** A p99 this close to a timeout counts as "at it"; a mean this high means requests wait the timeout out. */
export const P99_AT_TIMEOUT = 0.8;
export const MEAN_AT_TIMEOUT = 0.5;
