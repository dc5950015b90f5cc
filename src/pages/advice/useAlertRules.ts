// The alerting rules for the chosen data source: its resolved metric, its scrape interval and its Prefect settings,
// read from the data source instance (the same ones its panels and annotations use).
import { useEffect, useState } from 'react';
import { getDataSourceSrv } from '@grafana/runtime';
import type { PrefectSettings } from '../../catalog/prefectSettings';
import type { ResolvedMetric } from '../../prometheus/types';
import { rulesYaml } from '../../rules/generate';

interface RulesSource {
  settings: PrefectSettings;
  resolveMetric(window: { start: number; end: number }, signal?: AbortSignal): Promise<ResolvedMetric>;
  scrapeInterval(metric: ResolvedMetric, window: { start: number; end: number }, signal?: AbortSignal): Promise<number>;
}

// The app and the data source are separate bundles in Grafana, so the instance is recognised by shape.
function isRulesSource(ds: unknown): ds is RulesSource {
  const d = ds as Partial<RulesSource> | null;
  return Boolean(d && typeof d.resolveMetric === 'function' && typeof d.scrapeInterval === 'function' && d.settings);
}

export interface RulesState {
  loading: boolean;
  yaml?: string;
  error?: string;
}

/**
 * `range` (unix ms) must be the page's scan range: the data source caches one metric resolution at a time, so a
 * resolution over another window would be shared with, and could fail, the page's scan.
 */
export function useAlertRules(uid: string | undefined, range: { from: number; to: number }): RulesState {
  const { from, to } = range;
  const [state, setState] = useState<RulesState & { key?: string }>({ loading: false });
  const key = `${uid}|${from}|${to}`;
  useEffect(() => {
    if (!uid) {
      return;
    }
    let cancelled = false;
    // Leaving the page (or another range) aborts the requests this hook started, down to the resource transport.
    const controller = new AbortController();
    const { signal } = controller;
    const window = { start: Math.floor(from / 1000), end: Math.ceil(to / 1000) };
    getDataSourceSrv()
      .get(uid)
      .then(async (ds) => {
        if (!isRulesSource(ds)) {
          throw new Error('This data source cannot generate rules (is it a Prefect API insights data source?)');
        }
        const metric = await ds.resolveMetric(window, signal);
        const scrape = await ds.scrapeInterval(metric, window, signal);
        return rulesYaml(metric, ds.settings, { scrapeIntervalSeconds: scrape });
      })
      .then(
        (yaml) => !cancelled && setState({ key, loading: false, yaml }),
        (e: unknown) =>
          !cancelled && setState({ key, loading: false, error: e instanceof Error ? e.message : String(e) })
      );
    return () => {
      cancelled = true;
      controller.abort();
    };
  }, [uid, from, to, key]);
  return state.key === key ? state : { loading: Boolean(uid) };
}
