// Heuristic factors the detectors share. Prefect's own limits (pool_timeout, request timeout, UI patience) are NOT
// here: they come from ScanInput.settings.

/** Time windows of the detection contract (milliseconds). */
export const PERSISTENCE_SPAN_MS = 2 * 60_000;
export const MERGE_GAP_MS = 5 * 60_000;
export const BASELINE_BLOCK_MS = 5 * 60_000;
export const BASELINE_WINDOW_MS = 6 * 3_600_000;

/**
 * A route is "near baseline" while p95 stays within NEAR_FACTOR × baseline (or baseline + NEAR_SLACK_S). Three
 * times: under load a healthy route's p95 doubles without anything wrong (more requests queue on the event loop),
 * and the contract's broad signature starts at 5× (FAR_FACTOR), so "near" must end below it.
 */
export const NEAR_FACTOR = 3;
/**
 * The small absolute floor under that factor: 100 ms. Below it a p95 moves by whole buckets from noise alone (the
 * default layouts of OpenTelemetry and prometheus_client have bounds 5, 10, 25, 50, 75, 100 ms), so a 5 ms route
 * at 20 ms is still near; and 100 ms is 1 % of the UI's patience, nothing a user sees. It was 1 s, which let a 5 ms
 * route rise 200× to 1 s and still count as "near" (issue 16).
 */
export const NEAR_SLACK_S = 0.1;
/** "Far above baseline" for db-pool-exhaustion (the contract's p95 ≥ 5×). */
export const FAR_FACTOR = 5;
/** "Most other routes" means more than this share of them. */
export const MOST_SHARE = 0.5;

/**
 * A p99 at or above this share of a timeout counts as "at it" (a floor, no ceiling: requests answered just after
 * pool_timeout land in the bucket above it, where histogram_quantile interpolates up to that bucket's bound). With
 * fewer than 1 % of the requests at the timeout p99 reads in the bucket under it; 0.8 lets such a pile count while a
 * healthy API's p99 is nowhere near 24 s at the default 30 s. Seen on a live Prefect (issue 16): an exhausted pool
 * answered 2.6 % of requests 500 after the pool timeout, which puts p99 past it.
 */
export const P99_AT_TIMEOUT = 0.8;
/**
 * A mean this high means requests wait the timeout out: half the requests waited all of it, or all of them half of
 * it. Used where p99 cannot say (above the largest bucket); nothing but waiting for the pool makes the average
 * request of a database route take 15 s at the default 30 s.
 */
export const MEAN_AT_TIMEOUT = 0.5;
