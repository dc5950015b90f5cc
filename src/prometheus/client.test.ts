/** @jest-environment node */
import { createServer } from 'node:net';

import { createPrometheusApi, fetchTransport, labelPathSegment, parseMatrix, PARTIAL_DATA_WARNING } from './client';
import { PrometheusError } from './errors';
import type { PrometheusTransport } from './types';

interface Call {
  url: string;
  method: string;
  body: string;
  headers: Record<string, string>;
}

function fakeFetch(respond: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = {
      url: String(input),
      method: init?.method ?? 'GET',
      body: typeof init?.body === 'string' ? init.body : '',
      headers: (init?.headers ?? {}) as Record<string, string>,
    };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  return { impl, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function caught(p: Promise<unknown>): Promise<PrometheusError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PrometheusError);
    return e as PrometheusError;
  }
  throw new Error('expected a rejection');
}

describe('createPrometheusApi over fetchTransport', () => {
  it('posts query_range as a form and returns the matrix as sent', async () => {
    const result = [{ metric: { route: '/a' }, values: [[1, '0.5']] }];
    const f = fakeFetch(() => json(200, { status: 'success', data: { resultType: 'matrix', result } }));
    const api = createPrometheusApi(fetchTransport('http://prom:9090/', { fetchImpl: f.impl, headers: { X: 'y' } }));
    const out = await api.queryRange('sum(rate(x[1m]))', { start: 100, end: 200, step: 15 });
    expect(out).toEqual(result);
    expect(f.calls[0].url).toBe('http://prom:9090/api/v1/query_range');
    expect(f.calls[0].method).toBe('POST');
    expect(f.calls[0].headers.X).toBe('y');
    const form = new URLSearchParams(f.calls[0].body);
    expect(form.get('query')).toBe('sum(rate(x[1m]))');
    expect([form.get('start'), form.get('end'), form.get('step')]).toEqual(['100', '200', '15']);
  });

  it('adds the engine parameters a read asks for, never over the query, start, end or step', async () => {
    const f = fakeFetch(() => json(200, { status: 'success', data: { resultType: 'matrix', result: [] } }));
    const api = createPrometheusApi(fetchTransport('http://prom:9090', { fetchImpl: f.impl }));
    await api.queryRange('x', { start: 1, end: 2, step: 1 }, { params: { max_source_resolution: '5m', step: '99' } });
    const form = new URLSearchParams(f.calls[0].body);
    expect(form.get('max_source_resolution')).toBe('5m');
    expect(form.getAll('step')).toEqual(['1']);
    await api.queryRange('x', { start: 1, end: 2, step: 1 });
    expect(new URLSearchParams(f.calls[1].body).has('max_source_resolution')).toBe(false);
  });

  it('asks for a plain answer unless told to let the server compress it', async () => {
    const ok = (call: { url: string }) =>
      json(200, { status: 'success', data: call.url.includes('/label/') ? [] : { resultType: 'vector', result: [] } });
    const plain = fakeFetch(ok);
    await createPrometheusApi(fetchTransport('http://p', { fetchImpl: plain.impl })).query('up', 1);
    await createPrometheusApi(fetchTransport('http://p', { fetchImpl: plain.impl })).labelValues('job', [], 1, 2);
    expect(plain.calls.map((c) => c.headers['Accept-Encoding'])).toEqual(['identity', 'identity']);
    const gz = fakeFetch(ok);
    await createPrometheusApi(fetchTransport('http://p', { fetchImpl: gz.impl, compressed: true })).query('up', 1);
    expect(gz.calls[0].headers['Accept-Encoding']).toBeUndefined();
  });

  it("hands VictoriaMetrics' isPartial and Prometheus's warnings to the caller with the result", async () => {
    const result = [{ metric: {}, values: [[1, '2']] }];
    const f = fakeFetch(() =>
      json(200, { status: 'success', isPartial: true, warnings: ['w1'], data: { resultType: 'matrix', result } })
    );
    const api = createPrometheusApi(fetchTransport('http://vmselect/select/0/prometheus', { fetchImpl: f.impl }));
    const seen: string[] = [];
    const out = await api.queryRange('up', { start: 1, end: 2, step: 1 }, { onWarning: (w) => seen.push(w) });
    expect(out).toEqual(result);
    expect(seen).toEqual([PARTIAL_DATA_WARNING, 'w1']);
    const clean = fakeFetch(() =>
      json(200, { status: 'success', isPartial: false, data: { resultType: 'vector', result: [] } })
    );
    const none: string[] = [];
    await createPrometheusApi(fetchTransport('http://p', { fetchImpl: clean.impl })).query('up', 1, {
      onWarning: (w) => none.push(w),
    });
    expect(none).toEqual([]);
  });

  it("hands Prometheus's warnings and infos over even when the result is empty, infos as infos", async () => {
    const f = fakeFetch(() =>
      json(200, {
        status: 'success',
        warnings: ['PromQL warning: encountered a mix of histograms and floats'],
        infos: ['PromQL info: input to histogram_quantile needed to be fixed for monotonicity'],
        data: { resultType: 'matrix', result: [] },
      })
    );
    const api = createPrometheusApi(fetchTransport('http://p', { fetchImpl: f.impl }));
    const seen: Array<[string, string | undefined]> = [];
    const out = await api.queryRange('x', { start: 1, end: 2, step: 1 }, { onWarning: (m, k) => seen.push([m, k]) });
    expect(out).toEqual([]);
    expect(seen).toEqual([
      ['PromQL warning: encountered a mix of histograms and floats', 'warning'],
      ['PromQL info: input to histogram_quantile needed to be fixed for monotonicity', 'info'],
    ]);
    const labels = fakeFetch(() => json(200, { status: 'success', warnings: ['w'], data: [] }));
    const fromLabels: string[] = [];
    await createPrometheusApi(fetchTransport('http://p', { fetchImpl: labels.impl })).labelValues('a', [], 1, 2, {
      onWarning: (m) => fromLabels.push(m),
    });
    expect(fromLabels).toEqual(['w']);
  });

  it('sends every series matcher as its own match[]', async () => {
    const f = fakeFetch(() => json(200, { status: 'success', data: [{ __name__: 'a' }] }));
    const api = createPrometheusApi(fetchTransport('http://p', { fetchImpl: f.impl }));
    await api.series(['a_bucket', '{__name__="b.c"}'], 1, 2);
    expect(new URLSearchParams(f.calls[0].body).getAll('match[]')).toEqual(['a_bucket', '{__name__="b.c"}']);
  });

  it('reads label values with GET and an encoded label path', async () => {
    const f = fakeFetch(() => json(200, { status: 'success', data: ['/x', '/y'] }));
    const api = createPrometheusApi(fetchTransport('http://p', { fetchImpl: f.impl }));
    expect(await api.labelValues('http_route', ['m{a="1"}'], 1, 2)).toEqual(['/x', '/y']);
    const url = new URL(f.calls[0].url);
    expect(f.calls[0].method).toBe('GET');
    expect(url.pathname).toBe('/api/v1/label/http_route/values');
    expect(url.searchParams.getAll('match[]')).toEqual(['m{a="1"}']);
    await api.labelValues('http.route', [], 1, 2);
    expect(new URL(f.calls[1].url).pathname).toBe('/api/v1/label/U__http_2e_route/values');
  });

  it('never lets a label name change the path', () => {
    const seg = labelPathSegment('../../admin?x=1#');
    expect(seg).not.toMatch(/[/?#.]/);
  });

  it('turns a scalar into a one-sample vector', async () => {
    const f = fakeFetch(() => json(200, { status: 'success', data: { resultType: 'scalar', result: [5, '1'] } }));
    const api = createPrometheusApi(fetchTransport('http://p', { fetchImpl: f.impl }));
    expect(await api.query('1', 5)).toEqual([{ metric: {}, value: [5, '1'] }]);
  });

  it.each([
    [400, 'bad_data', 'parse error: unexpected "}"', 'bad_data', /rejected the query \(bad_data\): parse error/],
    [422, 'execution', 'many-to-many matching', 'execution', /failed to execute/],
    [503, 'timeout', 'query timed out in expression evaluation', 'timeout', /timed out/],
    [503, 'unavailable', 'TSDB not ready', 'unavailable', /unavailable/],
    [
      400,
      'bad_data',
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      'too_many_points',
      /larger step/,
    ],
  ])('maps HTTP %d %s "%s" to its kind', async (status, errorType, error, kind, message) => {
    const f = fakeFetch(() => json(status, { status: 'error', errorType, error }));
    const api = createPrometheusApi(fetchTransport('http://p', { fetchImpl: f.impl }));
    const e = await caught(api.query('x', 1));
    expect(e.kind).toBe(kind);
    expect(e.httpStatus).toBe(status);
    expect(e.message).toMatch(message);
  });

  it('reports a non-JSON success as invalid_response and a non-JSON failure as http', async () => {
    const html = fakeFetch(() => new Response('<html>Grafana</html>', { status: 200 }));
    const e1 = await caught(createPrometheusApi(fetchTransport('http://p', { fetchImpl: html.impl })).query('x', 1));
    expect(e1.kind).toBe('invalid_response');
    expect(e1.message).toMatch(/not a Prometheus API response/);
    const notFound = fakeFetch(() => new Response('404 page not found', { status: 404 }));
    const e2 = await caught(
      createPrometheusApi(fetchTransport('http://p', { fetchImpl: notFound.impl })).query('x', 1)
    );
    expect(e2.kind).toBe('http');
    expect(e2.httpStatus).toBe(404);
    expect(e2.message).toMatch(/HTTP 404.*server root/);
  });

  it('reports JSON that is not a Prometheus answer as invalid_response', async () => {
    const f = fakeFetch(() => json(200, { hello: 'world' }));
    const e = await caught(createPrometheusApi(fetchTransport('http://p', { fetchImpl: f.impl })).query('x', 1));
    expect(e.kind).toBe('invalid_response');
  });

  it('maps an abort to canceled', async () => {
    const controller = new AbortController();
    const f = fakeFetch(() => {
      controller.abort();
      throw new DOMException('The operation was aborted.', 'AbortError');
    });
    const api = createPrometheusApi(fetchTransport('http://p', { fetchImpl: f.impl }));
    const e = await caught(api.query('x', 1, { signal: controller.signal }));
    expect(e.kind).toBe('canceled');
  });

  it('maps a refused connection to unreachable, naming the URL and the cause', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const base = `http://127.0.0.1:${port}`;
    const e = await caught(createPrometheusApi(fetchTransport(base)).query('x', 1));
    expect(e.kind).toBe('unreachable');
    expect(e.message).toContain(`Prometheus at ${base} is unreachable`);
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it('ends a request that gets no answer at the time limit and reports a timeout, not unreachable', async () => {
    // A real server that accepts the connection and never answers.
    const sockets: Array<{ destroy(): void }> = [];
    const silent = createServer(() => undefined);
    silent.on('connection', (s) => sockets.push(s));
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port))
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      const e = await caught(createPrometheusApi(fetchTransport(base, { timeoutSeconds: 0.3 })).query('x', 1));
      expect(e.kind).toBe('timeout');
      expect(e.message).toContain(`No answer from ${base} within the request time limit of 0.3 s`);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('keeps a caller abort a cancel even with a time limit running', async () => {
    const controller = new AbortController();
    const f = fakeFetch(() => {
      controller.abort();
      throw new DOMException('The operation was aborted.', 'AbortError');
    });
    const api = createPrometheusApi(fetchTransport('http://p', { fetchImpl: f.impl, timeoutSeconds: 30 }));
    expect((await caught(api.query('x', 1, { signal: controller.signal }))).kind).toBe('canceled');
  });

  it('passes transport errors through untouched', async () => {
    const boom: PrometheusTransport = async () => {
      throw new PrometheusError('unavailable', 'down');
    };
    const e = await caught(createPrometheusApi(boom).series(['x'], 1, 2));
    expect(e.kind).toBe('unavailable');
  });
});

describe('parseMatrix', () => {
  it('reads numbers and the special values Prometheus writes', () => {
    const { times, values } = parseMatrix([
      [10, '1.5'],
      [25, 'NaN'],
      [40, '+Inf'],
      [55, '-Inf'],
      [70, '1e-3'],
    ]);
    expect(Array.from(times)).toEqual([10, 25, 40, 55, 70]);
    expect(values[0]).toBe(1.5);
    expect(Number.isNaN(values[1])).toBe(true);
    expect(values[2]).toBe(Infinity);
    expect(values[3]).toBe(-Infinity);
    expect(values[4]).toBeCloseTo(0.001);
  });
});
