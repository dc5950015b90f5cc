// Which series a model exposes under a convention: one per route and status class, 5xx only where it occurs.
import { ERROR_STATUS, type SimConvention } from './conventions';
import type { StatusClass, TrafficModel } from './model';

export interface HistogramSeriesSpec {
  routeIndex: number;
  status: StatusClass;
  /** Status code label value; undefined where the histogram has no status label. */
  statusCode?: string;
}

export interface CounterSeriesSpec {
  routeIndex: number;
  status: Exclude<StatusClass, 'all'>;
  /** `2xx` / `5xx` */
  statusClass: string;
}

export function histogramSeries(model: TrafficModel, conv: SimConvention): HistogramSeriesSpec[] {
  const out: HistogramSeriesSpec[] = [];
  model.routes.forEach((route, routeIndex) => {
    if (!conv.statusLabel) {
      out.push({ routeIndex, status: 'all' });
      return;
    }
    out.push({ routeIndex, status: 'ok', statusCode: route.okStatus });
    if (model.hasErrors(route.id)) {
      out.push({ routeIndex, status: 'error', statusCode: ERROR_STATUS });
    }
  });
  return out;
}

export function statusCounterSeries(model: TrafficModel, conv: SimConvention): CounterSeriesSpec[] {
  if (!conv.statusCounter) {
    return [];
  }
  const out: CounterSeriesSpec[] = [];
  model.routes.forEach((route, routeIndex) => {
    out.push({ routeIndex, status: 'ok', statusClass: '2xx' });
    if (model.hasErrors(route.id)) {
      out.push({ routeIndex, status: 'error', statusClass: '5xx' });
    }
  });
  return out;
}
