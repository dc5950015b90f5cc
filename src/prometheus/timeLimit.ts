// The time limit of one request to Prometheus, shared by the CLI (`--timeout`) and the data source. Without one, a
// Prometheus (or a proxy in front of it) that accepts the connection and never answers holds a scan for as long as
// the operating system keeps the socket, which is minutes, and the failure then reads as "unreachable".

/**
 * Default per-request limit in seconds. Prometheus's own default query timeout is 2 minutes, but a cron job that
 * runs every few minutes wants one bad request to end the run well before the next one starts; 60 s leaves a large
 * 7-day range query on a busy server to finish. Grafana's data proxy cuts its own requests at 30 s by default
 * (`[dataproxy] timeout`), so inside Grafana that limit usually answers first.
 */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;

export interface LimitedSignal {
  signal: AbortSignal;
  /** True when the limit, not the caller, ended the request. */
  timedOut(): boolean;
  /** Stops the timer and detaches from the caller's signal; call once the request settled. */
  clear(): void;
}

/** A signal that aborts when `outer` aborts or after `seconds`, whichever comes first. */
export function limitSignal(outer: AbortSignal | undefined, seconds: number): LimitedSignal {
  const controller = new AbortController();
  let expired = false;
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) {
    controller.abort(outer.reason);
  } else {
    outer?.addEventListener('abort', onOuter, { once: true });
  }
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error(`no answer within ${seconds} s`));
  }, seconds * 1000);
  return {
    signal: controller.signal,
    timedOut: () => expired,
    clear() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** Rejects a value that cannot be a time limit (seconds), so a typo never turns into "no limit". */
export function isValidTimeLimit(seconds: unknown): seconds is number {
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0;
}
