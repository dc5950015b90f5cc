import type { PrometheusApi, RequestOptions } from '../prometheus/types';
import { abortable, apiWithSignal } from './abortable';

describe('apiWithSignal', () => {
  it('puts the signal on every call that brings none, and keeps a call own signal', async () => {
    const seen: Array<AbortSignal | undefined> = [];
    const record = async (opts?: RequestOptions) => {
      seen.push(opts?.signal);
      return [];
    };
    const api: PrometheusApi = {
      queryRange: (_e, _r, opts) => record(opts),
      query: (_e, _t, opts) => record(opts),
      series: (_m, _s, _e, opts) => record(opts),
      labelValues: (_l, _m, _s, _e, opts) => record(opts),
    };
    const outer = new AbortController().signal;
    const own = new AbortController().signal;
    const wrapped = apiWithSignal(api, outer);
    await wrapped.queryRange('x', { start: 1, end: 2, step: 1 });
    await wrapped.query('x', 1, { signal: own });
    await wrapped.series(['x'], 1, 2);
    await wrapped.labelValues('l', [], 1, 2, { onWarning: () => undefined });
    expect(seen).toEqual([outer, own, outer, outer]);
  });
});

describe('abortable', () => {
  it('stops waiting as canceled when the signal aborts, without touching the shared promise', async () => {
    let resolveShared: (v: number) => void = () => undefined;
    const shared = new Promise<number>((r) => (resolveShared = r));
    const controller = new AbortController();
    const mine = abortable(shared, controller.signal);
    controller.abort();
    await expect(mine).rejects.toMatchObject({ kind: 'canceled' });
    resolveShared(3);
    await expect(shared).resolves.toBe(3);
  });
});
