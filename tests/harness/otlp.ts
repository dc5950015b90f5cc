// Pushes OTLP/JSON metric exports into Prometheus 3's OTLP receiver, in order, as an SDK's exporter would. The
// receiver takes `application/json` as well as protobuf (storage/remote/codec.go, DecodeOTLPWriteRequest).
import { OTLP_METRICS_PATH, type RunningPrometheus } from './prometheus';

export interface PushResult {
  requests: number;
  dataPoints: number;
}

function countPoints(body: unknown): number {
  const req = body as {
    resourceMetrics?: Array<{
      scopeMetrics?: Array<{
        metrics?: Array<{ histogram?: { dataPoints: unknown[] }; exponentialHistogram?: { dataPoints: unknown[] } }>;
      }>;
    }>;
  };
  let n = 0;
  for (const rm of req.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        n += (m.histogram ?? m.exponentialHistogram)?.dataPoints.length ?? 0;
      }
    }
  }
  return n;
}

/** Sends every export; throws on the first one the receiver refuses (with its answer). */
export async function pushOtlp(prom: Pick<RunningPrometheus, 'url'>, exports: Iterable<unknown>): Promise<PushResult> {
  let requests = 0;
  let dataPoints = 0;
  for (const body of exports) {
    const res = await fetch(prom.url + OTLP_METRICS_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      throw new Error(`OTLP push ${requests + 1} refused: HTTP ${res.status} ${(await res.text()).slice(0, 2000)}`);
    }
    requests++;
    dataPoints += countPoints(body);
  }
  return { requests, dataPoints };
}
