// A live /metrics endpoint computed from the model at the current time, as a Prometheus client in the Prefect
// server would expose it. Prometheus adds job/instance itself when it scrapes, so they are not in the output.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  formatBound,
  getConvention,
  histogramLabels,
  statusCounterLabels,
  toUnit,
  type ConventionId,
} from './conventions';
import { HistogramAccumulator, type TrafficModel } from './model';
import { buildTimeline, type Timeline } from './scenarios';
import { histogramSeries, statusCounterSeries } from './series';

export interface ExporterOptions {
  convention: ConventionId;
  seed?: number;
  /** 0 (default) picks a free port. The exporter always binds 127.0.0.1. */
  port?: number;
  routes?: string[];
  apiPrefix?: boolean;
  otherService?: boolean;
  /** Serve this timeline instead of quiet traffic (its scenarios play at their wall-clock times). */
  timeline?: Timeline;
  /** Clock (unix ms), replaceable in tests; default Date.now. */
  now?: () => number;
}

export interface RunningExporter {
  url: string;
  port: number;
  timeline: Timeline;
  close(): Promise<void>;
}

interface LiveHistogram {
  model: TrafficModel;
  acc: HistogramAccumulator;
  labels: string;
}

/** Renders the exposition for one instant; accumulators advance to `t` first. */
function render(conventionId: ConventionId, hist: LiveHistogram[], counters: LiveHistogram[], t: number): string {
  const conv = getConvention(conventionId);
  const leText = [...conv.bucketsSeconds.map((b) => formatBound(conv, b)), '+Inf'];
  const out: string[] = [`# HELP ${conv.name} Duration of HTTP server requests.`, `# TYPE ${conv.name} histogram`];
  for (const h of hist) {
    h.acc.advance(t, 1000);
    const snap = h.acc.snapshot();
    if (snap.count === 0) {
      continue;
    }
    for (let j = 0; j < leText.length; j++) {
      out.push(`${conv.name}_bucket{${h.labels},le="${leText[j]}"} ${snap.buckets[j]}`);
    }
    out.push(`${conv.name}_sum{${h.labels}} ${toUnit(conv, snap.sum)}`);
    out.push(`${conv.name}_count{${h.labels}} ${snap.count}`);
  }
  if (conv.statusCounter && counters.length) {
    out.push(
      `# HELP ${conv.statusCounter.name} Requests by status class.`,
      `# TYPE ${conv.statusCounter.name} counter`
    );
    for (const c of counters) {
      c.acc.advance(t, 1000);
      const count = c.acc.snapshot().count;
      if (count > 0) {
        out.push(`${conv.statusCounter.name}{${c.labels}} ${count}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

export async function startExporter(opts: ExporterOptions): Promise<RunningExporter> {
  const conv = getConvention(opts.convention);
  if (!conv.backfillable) {
    throw new Error(`convention ${conv.id} has a dotted name that Prometheus 2.x cannot scrape from the text format`);
  }
  const now = opts.now ?? Date.now;
  const from = now();
  const timeline =
    opts.timeline ??
    buildTimeline({
      seed: opts.seed ?? 1,
      convention: opts.convention,
      start: from,
      days: 1,
      include: [],
      routes: opts.routes,
      apiPrefix: opts.apiPrefix,
      otherService: opts.otherService,
    });
  const labelOpts = { apiPrefix: timeline.apiPrefix, target: false };
  const hist: LiveHistogram[] = [];
  const counters: LiveHistogram[] = [];
  for (const model of timeline.models) {
    for (const spec of histogramSeries(model, conv)) {
      const route = model.routes[spec.routeIndex];
      hist.push({
        model,
        acc: new HistogramAccumulator(model, spec.routeIndex, spec.status, conv.bucketsSeconds, from),
        labels: histogramLabels(conv, model.service, route, spec.statusCode, labelOpts),
      });
    }
    for (const spec of statusCounterSeries(model, conv)) {
      const route = model.routes[spec.routeIndex];
      counters.push({
        model,
        acc: new HistogramAccumulator(model, spec.routeIndex, spec.status, [], from),
        labels: statusCounterLabels(conv, model.service, route, spec.statusClass, labelOpts),
      });
    }
  }

  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics' && !req.url?.startsWith('/metrics?')) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const t = now();
    if (!timeline.model.isUp(t)) {
      // A down server answers nothing useful: Prometheus records up 0.
      res.writeHead(503).end('down\n');
      return;
    }
    const body = render(opts.convention, hist, counters, t);
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    port,
    timeline,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
