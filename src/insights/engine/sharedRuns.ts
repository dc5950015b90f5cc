// Identical scans share one run. A dashboard refresh asks for the same scan from its annotation, its insights table
// and its status table (the advice page from two targets of one request); each scan costs a dozen range queries, so
// callers with the same key join one in-flight run and, for a short while, reuse its result.
//
// Rules the callers rely on:
// - the key holds everything that changes the result (the caller builds it: data source, metric, range, settings);
// - a run that fails or is aborted is forgotten at once, so the next caller starts afresh;
// - a caller that gives up (its signal aborts) stops waiting alone; the shared run is aborted only when every
//   caller waiting for it has given up;
// - at most `maxEntries` results are kept, each for at most `ttlMs`.

export interface SharedRunsOptions {
  /** How long a finished result is reused, ms. */
  ttlMs: number;
  /** Upper bound on the entries kept (finished and in flight). */
  maxEntries: number;
  /** Clock, ms (tests pass their own). */
  now?: () => number;
}

export interface SharedRuns<T> {
  /** The value for `key`: reused, joined in flight, or produced by `start` (which gets the shared run's signal). */
  run(key: string, start: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Entries currently kept (for tests and the bench). */
  size(): number;
  clear(): void;
}

interface Entry<T> {
  promise: Promise<T>;
  controller: AbortController;
  /** set when the run resolved */
  doneAt?: number;
  /** callers still waiting for an unfinished run */
  waiting: number;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : Object.assign(new Error('The request was aborted'), { name: 'AbortError' });
}

export function createSharedRuns<T>(options: SharedRunsOptions): SharedRuns<T> {
  const now = options.now ?? Date.now;
  const maxEntries = Math.max(1, Math.floor(options.maxEntries));
  const entries = new Map<string, Entry<T>>();

  const forget = (key: string, entry: Entry<T>) => {
    if (entries.get(key) === entry) {
      entries.delete(key);
    }
  };

  const prune = () => {
    const t = now();
    for (const [key, e] of entries) {
      if (e.doneAt !== undefined && t - e.doneAt >= options.ttlMs) {
        entries.delete(key);
      }
    }
    // Map iteration is insertion order: the oldest entries go first. An in-flight run evicted here still finishes
    // for its callers; it is only no longer joinable.
    while (entries.size >= maxEntries) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
  };

  const begin = (key: string, start: (signal: AbortSignal) => Promise<T>): Entry<T> => {
    prune();
    const controller = new AbortController();
    const entry: Entry<T> = { controller, waiting: 0, promise: undefined as unknown as Promise<T> };
    // start() may throw synchronously; Promise.resolve().then keeps every failure on the promise.
    entry.promise = Promise.resolve()
      .then(() => start(controller.signal))
      .then(
        (value) => {
          if (controller.signal.aborted) {
            forget(key, entry);
          } else {
            entry.doneAt = now();
          }
          return value;
        },
        (e: unknown) => {
          forget(key, entry);
          throw e;
        }
      );
    // Rejections are handled per caller below; this keeps an abandoned run from surfacing as unhandled.
    entry.promise.catch(() => undefined);
    entries.set(key, entry);
    return entry;
  };

  const wait = (key: string, entry: Entry<T>, signal?: AbortSignal): Promise<T> => {
    if (entry.doneAt !== undefined || !signal) {
      if (entry.doneAt === undefined) {
        entry.waiting++;
      }
      return entry.promise;
    }
    if (signal.aborted) {
      return Promise.reject(abortError(signal));
    }
    entry.waiting++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        entry.waiting--;
        reject(abortError(signal));
        if (entry.waiting <= 0 && entry.doneAt === undefined) {
          // Nobody wants this run any more: stop asking Prometheus, and let the next caller start afresh.
          forget(key, entry);
          entry.controller.abort(abortError(signal));
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        }
      );
    });
  };

  return {
    run(key, start, signal) {
      const existing = entries.get(key);
      const fresh =
        existing && (existing.doneAt === undefined || now() - existing.doneAt < options.ttlMs) ? existing : undefined;
      if (signal?.aborted) {
        return Promise.reject(abortError(signal));
      }
      return wait(key, fresh ?? begin(key, start), signal);
    },
    size: () => entries.size,
    clear: () => entries.clear(),
  };
}
