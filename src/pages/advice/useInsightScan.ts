// Runs the data source's 'insightStatus' and 'insights' queries for one range, the way a panel would: through
// getDataSourceSrv().get(uid).query(...). Unsubscribing on change, unmount or cancel() aborts the data source's
// requests (its query() aborts the AbortSignal that reaches the transport).
import { useCallback, useEffect, useRef, useState } from 'react';
import { from, type Subscription } from 'rxjs';
import { CoreApp, type DataQueryRequest, type DataQueryResponse, type TimeRange } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import type { PrefectQuery } from '../../datasource/types';
import { isNoDataMessage } from '../../insights/engine/noData';
import { detectedInsights, readEpisodes, readStatuses, type EpisodeRow } from './readInsightFrames';
import type { DetectedInsight } from './parameterVerdicts';

export interface ScanState {
  loading: boolean;
  error?: string;
  detected?: DetectedInsight[];
  episodes?: EpisodeRow[];
  /** Prometheus's warnings and infos on the scan's answers, each once. */
  warnings?: string[];
  infos?: string[];
  /** "no data for <metric> in range": nothing can be said about this range (never "all clear"). */
  noData?: string;
  /** The user stopped the scan. */
  canceled?: boolean;
}

export interface InsightScan extends ScanState {
  /** Stops a running scan and aborts its requests. */
  cancel(): void;
}

interface NoticeLike {
  severity?: string;
  text?: string;
}

/** The notices the data source put on the scan's frames, split into the no-data verdict, warnings and infos. */
export function readNotices(frames: ReadonlyArray<{ meta?: { notices?: NoticeLike[] } }>) {
  const warnings = new Set<string>();
  const infos = new Set<string>();
  let noData: string | undefined;
  for (const notice of frames.flatMap((f) => f.meta?.notices ?? [])) {
    const text = notice.text ?? '';
    if (isNoDataMessage(text)) {
      noData = text;
    } else if (text !== '') {
      (notice.severity === 'info' ? infos : warnings).add(text);
    }
  }
  return { warnings: [...warnings], infos: [...infos], noData };
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

export function useInsightScan(uid: string | undefined, range: TimeRange, runId: number): InsightScan {
  const fromMs = range.from.valueOf();
  const toMs = range.to.valueOf();
  // Results are stored with the inputs they answer; a result for other inputs means "loading", so the effect
  // never has to reset state synchronously.
  const key = `${uid}|${fromMs}|${toMs}|${runId}`;
  const [state, setState] = useState<KeyedState>({ key: '', loading: false });
  const stop = useRef<() => void>(() => undefined);
  const cancel = useCallback(() => stop.current(), []);

  useEffect(() => {
    if (!uid) {
      return;
    }
    let cancelled = false;
    let subscription: Subscription | undefined;
    stop.current = () => {
      if (!cancelled) {
        cancelled = true;
        subscription?.unsubscribe();
        setState({ key, loading: false, canceled: true });
      }
    };
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
            setState({ key, loading: false, error, episodes, detected, ...readNotices(frames) });
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
      stop.current = () => undefined;
      subscription?.unsubscribe();
    };
    // The range object changes identity on every render; `key` holds what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  if (!uid) {
    return { loading: false, cancel };
  }
  return state.key === key ? { ...state, cancel } : { loading: true, cancel };
}
