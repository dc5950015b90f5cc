// Runs the data source's 'insightStatus' and 'insights' queries for one range, the way a panel would: through
// getDataSourceSrv().get(uid).query(...). Unsubscribing on change or unmount cancels the data source's requests.
import { useEffect, useState } from 'react';
import { from, type Subscription } from 'rxjs';
import { CoreApp, type DataQueryRequest, type DataQueryResponse, type TimeRange } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import type { PrefectQuery } from '../../datasource/types';
import { detectedInsights, readEpisodes, readStatuses, type EpisodeRow } from './readInsightFrames';
import type { DetectedInsight } from './parameterVerdicts';

export interface ScanState {
  loading: boolean;
  error?: string;
  detected?: DetectedInsight[];
  episodes?: EpisodeRow[];
}

export function buildScanRequest(range: TimeRange): DataQueryRequest<PrefectQuery> {
  const spanMs = Math.max(range.to.valueOf() - range.from.valueOf(), 60_000);
  const intervalMs = Math.max(Math.round(spanMs / 1000), 15_000);
  return {
    requestId: `prefect-insights-advice-${Date.now()}`,
    app: CoreApp.Unknown,
    interval: `${Math.round(intervalMs / 1000)}s`,
    intervalMs,
    range,
    scopedVars: {},
    timezone: 'browser',
    startTime: Date.now(),
    targets: [
      { refId: 'status', queryType: 'insightStatus' },
      { refId: 'episodes', queryType: 'insights', format: 'table' },
    ],
  };
}

function errorText(response: DataQueryResponse): string | undefined {
  const messages = (response.errors ?? [])
    .map((e) => e.message ?? e.data?.message)
    .filter((m): m is string => Boolean(m));
  return messages.length > 0 ? [...new Set(messages)].join('; ') : undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; data?: { message?: unknown } };
    const m = e.data?.message ?? e.message;
    if (typeof m === 'string') {
      return m;
    }
  }
  return String(err);
}

interface KeyedState extends ScanState {
  key: string;
}

export function useInsightScan(uid: string | undefined, range: TimeRange, runId: number): ScanState {
  const fromMs = range.from.valueOf();
  const toMs = range.to.valueOf();
  // Results are stored with the inputs they answer; a result for other inputs means "loading", so the effect
  // never has to reset state synchronously.
  const key = `${uid}|${fromMs}|${toMs}|${runId}`;
  const [state, setState] = useState<KeyedState>({ key: '', loading: false });

  useEffect(() => {
    if (!uid) {
      return;
    }
    let cancelled = false;
    let subscription: Subscription | undefined;
    getDataSourceSrv()
      .get(uid)
      .then((ds) => {
        if (cancelled) {
          return;
        }
        let last: DataQueryResponse | undefined;
        subscription = from(ds.query(buildScanRequest(range) as DataQueryRequest)).subscribe({
          next: (response) => {
            last = response;
          },
          error: (err: unknown) => setState({ key, loading: false, error: messageOf(err) }),
          complete: () => {
            const frames = last?.data ?? [];
            const error = last ? errorText(last) : undefined;
            const episodes = readEpisodes(frames);
            const detected = detectedInsights(readStatuses(frames), episodes);
            setState({ key, loading: false, error, episodes, detected });
          },
        });
      })
      .catch((err: unknown) => {
        if (!cancelled) {
          setState({ key, loading: false, error: messageOf(err) });
        }
      });
    return () => {
      cancelled = true;
      subscription?.unsubscribe();
    };
    // The range object changes identity on every render; `key` holds what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  if (!uid) {
    return { loading: false };
  }
  return state.key === key ? state : { loading: true };
}
