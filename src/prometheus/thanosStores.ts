// Thanos's querier (and a query-frontend, which forwards the call) lists the store endpoints it knows at
// `GET /api/v1/stores` (`pkg/api/query/v1.go`, v0.42): per store type, each endpoint's name, last health check and
// last error. Prometheus, Mimir and VictoriaMetrics have no such path, so an answer there says the upstream is Thanos.
// Save & test reads it because a query's answer cannot show a lost store that is not strict: Thanos warns about such
// an endpoint for a few seconds, then leaves it out of every answer without a word (measured on v0.42.4: 5–10 s),
// while this list keeps its last error until `--store.unhealthy-timeout` (5 minutes by default) drops it.

/** The path; Thanos serves it on GET only. */
export const THANOS_STORES_PATH = '/api/v1/stores';

export interface ThanosStore {
  /** The endpoint's address, as the querier was given it. */
  name: string;
  /** The store type the querier files it under (sidecar, store, receive, rule, …). */
  type: string;
  lastError: string | null;
  lastCheck: string | null;
}

/**
 * The stores in a `/api/v1/stores` answer, or undefined when the body is not Thanos's (`data` is an object of arrays
 * keyed by store type). An empty object is Thanos with no store reached yet: an empty list.
 */
export function parseThanosStores(body: unknown): ThanosStore[] | undefined {
  const b = body as { status?: unknown; data?: unknown } | null;
  if (b === null || typeof b !== 'object' || b.status !== 'success') {
    return undefined;
  }
  const data = b.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return undefined;
  }
  const stores: ThanosStore[] = [];
  for (const [type, list] of Object.entries(data as Record<string, unknown>)) {
    if (list === null) {
      continue;
    }
    if (!Array.isArray(list)) {
      return undefined;
    }
    for (const s of list as Array<Record<string, unknown>>) {
      if (s === null || typeof s !== 'object' || typeof s.name !== 'string') {
        return undefined;
      }
      stores.push({
        name: s.name,
        type,
        lastError: typeof s.lastError === 'string' && s.lastError !== '' ? s.lastError : null,
        lastCheck: typeof s.lastCheck === 'string' ? s.lastCheck : null,
      });
    }
  }
  return stores;
}

/** Why a lost store that is not strict must be named here: the answers themselves stop saying so. */
export const NON_STRICT_ADVICE =
  'A store that stops answering is left out of every answer; Thanos warns about it only while the querier lists it ' +
  'as strict (`strict: true` in `--endpoint.sd-config`; formerly `--endpoint-strict`), otherwise for a few seconds, ' +
  'after which its data is missing without a warning. Save & test names the stores failing now';

export interface ThanosStoresVerdict {
  /** The stores whose last health check failed. */
  lost: ThanosStore[];
  /** Sentences for Save & test. */
  text: string;
}

function countsByType(stores: ThanosStore[]): string {
  const n = new Map<string, number>();
  for (const s of stores) {
    n.set(s.type, (n.get(s.type) ?? 0) + 1);
  }
  return [...n]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
}

/** Save & test's sentences about Thanos's stores: how many of each type, which are failing, and the advice. */
export function describeThanosStores(stores: ThanosStore[]): ThanosStoresVerdict {
  const lost = stores.filter((s) => s.lastError !== null);
  const plural = (n: number) => (n === 1 ? 'endpoint' : 'endpoints');
  if (stores.length === 0) {
    return { lost, text: `Thanos: the querier has reached no store endpoint yet. ${NON_STRICT_ADVICE}.` };
  }
  const seen = `Thanos: the querier knows ${stores.length} store ${plural(stores.length)} (${countsByType(stores)})`;
  if (lost.length === 0) {
    return { lost, text: `${seen}, all answering. ${NON_STRICT_ADVICE}.` };
  }
  const named = lost
    .map((s) => `${s.name} (${s.type}): ${s.lastError}${s.lastCheck ? `, checked ${s.lastCheck}` : ''}`)
    .join('; ');
  return {
    lost,
    text:
      `${seen}; ${lost.length} not answering: ${named}. Answers leave out their data until they are back, ` +
      `so counts and rates read low. ${NON_STRICT_ADVICE}.`,
  };
}
