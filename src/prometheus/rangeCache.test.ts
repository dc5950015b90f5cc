import { infoKind, mergeTail, tailToRead, withRangeCache, INCREMENTAL_OVERLAP_SECONDS } from './rangeCache';
import type { MatrixSeries, PrometheusApi, RequestOptions, TimeRange } from './types';

const STEP = 60;
const T0 = 1_800_000_000 - (1_800_000_000 % STEP);
const DAY = 86_400;

/**
 * A Prometheus stand-in for this pure logic: each expression names series whose value at t is computed from
 * `revision` (bumped to model late samples rewriting the recent points) and which exist over given spans.
 */
function fakePrometheus() {
  const calls: Array<{ expr: string; range: TimeRange }> = [];
  const state = { revision: 0, lateFrom: Infinity, warning: '', info: '' };
  const series = [
    { metric: { route: 'a' }, from: -Infinity, to: Infinity },
    { metric: { route: 'b' }, from: -Infinity, to: T0 + DAY / 2 }, // stops half-way
    { metric: { route: 'c' }, from: T0 + DAY + 30 * STEP, to: Infinity }, // appears in a later window
  ];
  const value = (route: string, t: number) =>
    String((t / STEP) % 97) + (t >= state.lateFrom ? `.${state.revision}` : '') + route;
  const api: PrometheusApi = {
    async queryRange(expr: string, range: TimeRange, opts?: RequestOptions): Promise<MatrixSeries[]> {
      calls.push({ expr, range });
      if (state.warning) {
        opts?.onWarning?.(state.warning, 'warning');
      }
      if (state.info) {
        opts?.onWarning?.(state.info, 'info');
      }
      const out: MatrixSeries[] = [];
      for (const s of series) {
        const values: Array<[number, string]> = [];
        for (let t = range.start; t <= range.end; t += range.step) {
          if (t >= s.from && t <= s.to) {
            values.push([t, value(s.metric.route, t)]);
          }
        }
        if (values.length) {
          out.push({ metric: { ...s.metric, expr }, values });
        }
      }
      return out;
    },
    query: async () => [],
    series: async () => [],
    labelValues: async () => [],
  };
  return { api, calls, state };
}

const window = (start: number, end: number): TimeRange => ({ start, end, step: STEP });
const sorted = (s: MatrixSeries[]) => [...s].sort((x, y) => x.metric.route.localeCompare(y.metric.route));

describe('tailToRead', () => {
  const cached = window(T0, T0 + DAY);
  it('reads from the cached end less the overlap when the window moved forward on the same grid', () => {
    expect(tailToRead(cached, window(T0 + STEP, T0 + DAY + STEP), 600)).toEqual(
      window(T0 + DAY - 600, T0 + DAY + STEP)
    );
  });
  it('snaps the overlap onto the grid of the new window, never before it', () => {
    expect(tailToRead(cached, window(T0 + STEP, T0 + DAY + STEP), 630)).toEqual(
      window(T0 + DAY - 600, T0 + DAY + STEP)
    );
    expect(tailToRead(window(T0, T0 + 300), window(T0 + 60, T0 + 360), 600)).toEqual(window(T0 + 60, T0 + 360));
  });
  it('cannot serve a window that starts earlier, ends earlier, has another step or lies off the grid', () => {
    expect(tailToRead(cached, window(T0 - STEP, T0 + DAY + STEP), 600)).toBeNull();
    expect(tailToRead(cached, window(T0 + STEP, T0 + DAY - STEP), 600)).toBeNull();
    expect(tailToRead(cached, { start: T0 + 120, end: T0 + DAY + 120, step: 120 }, 600)).toBeNull();
    expect(tailToRead(cached, window(T0 + 30, T0 + DAY + 30), 600)).toBeNull();
  });
  it('does not reuse an answer the window has moved past', () => {
    expect(tailToRead(cached, window(T0 + 2 * DAY, T0 + 3 * DAY), 600)).toBeNull();
  });
});

describe('mergeTail', () => {
  it('keeps the head before the tail, the tail from its start, and drops series with no point left', () => {
    const head: MatrixSeries[] = [
      {
        metric: { route: 'a' },
        values: [
          [0, '1'],
          [60, '2'],
          [120, 'old'],
        ],
      },
      { metric: { route: 'gone' }, values: [[0, '9']] },
    ];
    const tail: MatrixSeries[] = [
      {
        metric: { route: 'a' },
        values: [
          [120, 'new'],
          [180, '4'],
        ],
      },
      { metric: { route: 'n' }, values: [[180, '5']] },
    ];
    expect(sorted(mergeTail(head, tail, window(60, 180), 120))).toEqual([
      {
        metric: { route: 'a' },
        values: [
          [60, '2'],
          [120, 'new'],
          [180, '4'],
        ],
      },
      { metric: { route: 'n' }, values: [[180, '5']] },
    ]);
  });
  it('matches series by their labels whatever the order of the keys', () => {
    const head: MatrixSeries[] = [{ metric: { route: 'a', le: '1' }, values: [[0, '1']] }];
    const tail: MatrixSeries[] = [{ metric: { le: '1', route: 'a' }, values: [[60, '2']] }];
    expect(mergeTail(head, tail, window(0, 60), 60)).toHaveLength(1);
  });
});

describe('withRangeCache', () => {
  it('answers a moved window exactly as a full read would, reading only the new tail plus the overlap', async () => {
    const prom = fakePrometheus();
    const cached = withRangeCache(prom.api);
    await cached.queryRange('q', window(T0, T0 + DAY));
    for (let minute = 1; minute <= 45; minute++) {
      const w = window(T0 + minute * STEP, T0 + DAY + minute * STEP);
      const got = await cached.queryRange('q', w);
      const last = prom.calls[prom.calls.length - 1].range;
      expect(last.end - last.start).toBe(INCREMENTAL_OVERLAP_SECONDS + STEP);
      expect(sorted(got)).toEqual(sorted(await prom.api.queryRange('q', w)));
    }
    expect(cached.stats()).toMatchObject({ full: 1, incremental: 45 });
  });

  it('re-reads the overlap, so late samples that rewrote recent points are taken', async () => {
    const prom = fakePrometheus();
    const cached = withRangeCache(prom.api);
    await cached.queryRange('q', window(T0, T0 + DAY));
    prom.state.revision = 1;
    prom.state.lateFrom = T0 + DAY - 300; // the last 5 minutes changed after the first read
    const w = window(T0 + STEP, T0 + DAY + STEP);
    expect(sorted(await cached.queryRange('q', w))).toEqual(sorted(await prom.api.queryRange('q', w)));
  });

  it('keeps expressions and steps apart', async () => {
    const prom = fakePrometheus();
    const cached = withRangeCache(prom.api);
    await cached.queryRange('q1', window(T0, T0 + DAY));
    const other = await cached.queryRange('q2', window(T0 + STEP, T0 + DAY + STEP));
    expect(prom.calls[1].range).toEqual(window(T0 + STEP, T0 + DAY + STEP));
    expect(other.every((s) => s.metric.expr === 'q2')).toBe(true);
  });

  it('keeps a downsampled read apart from the raw read of the same expression', async () => {
    const prom = fakePrometheus();
    const cached = withRangeCache(prom.api);
    await cached.queryRange('q1', window(T0, T0 + DAY), { params: { max_source_resolution: '5m' } });
    await cached.queryRange('q1', window(T0 + STEP, T0 + DAY + STEP));
    expect(prom.calls[1].range).toEqual(window(T0 + STEP, T0 + DAY + STEP));
    // The same parameters again read only the tail.
    await cached.queryRange('q1', window(T0 + STEP, T0 + DAY + STEP), { params: { max_source_resolution: '5m' } });
    expect(prom.calls[2].range.start).toBeGreaterThan(T0 + STEP);
  });

  it('never keeps an answer that carried a warning: the next refresh reads the whole window again', async () => {
    const prom = fakePrometheus();
    const cached = withRangeCache(prom.api);
    prom.state.warning = 'store gateway unreachable';
    const seen: string[] = [];
    await cached.queryRange('q', window(T0, T0 + DAY), { onWarning: (m) => seen.push(m) });
    expect(seen).toEqual(['store gateway unreachable']);
    prom.state.warning = '';
    await cached.queryRange('q', window(T0 + STEP, T0 + DAY + STEP));
    expect(prom.calls[1].range).toEqual(window(T0 + STEP, T0 + DAY + STEP));
  });

  it('says the cached part’s infos again when it serves them', async () => {
    const prom = fakePrometheus();
    const cached = withRangeCache(prom.api);
    prom.state.info = 'PromQL info: input to histogram_quantile needed to be fixed for monotonicity';
    await cached.queryRange('q', window(T0, T0 + DAY));
    prom.state.info = '';
    const seen: Array<[string, string | undefined]> = [];
    await cached.queryRange('q', window(T0 + STEP, T0 + DAY + STEP), { onWarning: (m, k) => seen.push([m, k]) });
    expect(seen).toEqual([['PromQL info: input to histogram_quantile needed to be fixed for monotonicity', 'info']]);
  });

  it('holds a bounded number of entries, dropping the least recently used', async () => {
    const prom = fakePrometheus();
    const cached = withRangeCache(prom.api, { entries: 2 });
    for (const q of ['q1', 'q2', 'q1', 'q3']) {
      await cached.queryRange(q, window(T0, T0 + DAY)); // the second q1 is served (tail read) and so made recent
    }
    prom.calls.length = 0;
    await cached.queryRange('q1', window(T0 + STEP, T0 + DAY + STEP)); // kept: tail only
    await cached.queryRange('q2', window(T0 + STEP, T0 + DAY + STEP)); // dropped for q3: read whole
    expect(prom.calls.map((c) => c.range.start)).toEqual([T0 + DAY - INCREMENTAL_OVERLAP_SECONDS, T0 + STEP]);
    expect(cached.stats()).toMatchObject({ full: 4, incremental: 2 });
  });

  it('lets a failed tail read fail the query and keeps nothing from it', async () => {
    const prom = fakePrometheus();
    const failing = { ...prom.api, queryRange: () => Promise.reject(new Error('timeout')) };
    const broken = withRangeCache(failing);
    await expect(broken.queryRange('q', window(T0, T0 + DAY))).rejects.toThrow('timeout');
    await expect(broken.queryRange('q', window(T0 + STEP, T0 + DAY + STEP))).rejects.toThrow('timeout');
    expect(broken.stats()).toMatchObject({ full: 0, incremental: 0 });
  });
});

describe('withRangeCache memory', () => {
  it('keeps no more points than its bound, dropping the least recently used entries first', async () => {
    const prom = fakePrometheus();
    // a day at 60 s is 1,441 points for route a and 721 for b: about 2,162 points per entry
    const cached = withRangeCache(prom.api, { points: 5_000 });
    for (const q of ['q1', 'q2', 'q3']) {
      await cached.queryRange(q, window(T0, T0 + DAY));
    }
    prom.calls.length = 0;
    await cached.queryRange('q3', window(T0 + STEP, T0 + DAY + STEP));
    await cached.queryRange('q1', window(T0 + STEP, T0 + DAY + STEP));
    expect(prom.calls.map((c) => c.range.start)).toEqual([T0 + DAY - INCREMENTAL_OVERLAP_SECONDS, T0 + STEP]);
  });
});

describe('infos with the details of their evaluation (Prometheus 3)', () => {
  const info = (samples: number) =>
    'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/' +
    `prometheus/latest/querying/functions/#histogram_quantile), from buckets 0.5 to 2.5, over ${samples} samples`;

  it('are one kind whatever the details', () => {
    expect(infoKind(info(1048576))).toBe(infoKind(info(2097152)));
    expect(infoKind('a plain warning')).toBe('a plain warning');
  });

  it('are said once per kind on a tail read: the tail’s own when it has one', async () => {
    const prom = fakePrometheus();
    const cached = withRangeCache(prom.api);
    prom.state.info = info(2097152);
    await cached.queryRange('q', window(T0, T0 + DAY));
    prom.state.info = info(4096);
    const seen: string[] = [];
    await cached.queryRange('q', window(T0 + STEP, T0 + DAY + STEP), { onWarning: (m) => seen.push(m) });
    expect(seen).toEqual([info(4096)]);
  });
});
