import { Observable, of, throwError } from 'rxjs';
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';
import { PrometheusError } from '../prometheus/errors';
import { fetchErrorToPrometheusError, proxyTransport } from './proxyTransport';

function srvWith(fetch: (req: BackendSrvRequest) => Observable<unknown>): () => BackendSrv {
  return () => ({ fetch }) as unknown as BackendSrv;
}

const params = () => new URLSearchParams({ query: 'up{job="a b"}', start: '1', end: '2', step: '15' });

describe('proxyTransport', () => {
  it('POSTs the form to the data proxy of the chosen uid and returns the body', async () => {
    const seen: BackendSrvRequest[] = [];
    const transport = proxyTransport(
      'prom/1',
      srvWith((req) => {
        seen.push(req);
        return of({ data: { status: 'success', data: { resultType: 'matrix', result: [] } }, status: 200 });
      })
    );
    const body = await transport('/api/v1/query_range', params());
    expect(body).toEqual({ status: 'success', data: { resultType: 'matrix', result: [] } });
    expect(seen[0].url).toBe('/api/datasources/proxy/uid/prom%2F1/api/v1/query_range');
    expect(seen[0].method).toBe('POST');
    expect(new URLSearchParams(seen[0].data).get('query')).toBe('up{job="a b"}');
    expect(seen[0].headers?.['Content-Type']).toBe('application/x-www-form-urlencoded');
  });

  it('uses GET with the query string for label values', async () => {
    const seen: BackendSrvRequest[] = [];
    const transport = proxyTransport(
      'u',
      srvWith((req) => {
        seen.push(req);
        return of({ data: { status: 'success', data: ['a'] }, status: 200 });
      })
    );
    await transport('/api/v1/label/http_route/values', new URLSearchParams({ start: '1' }));
    expect(seen[0].method).toBe('GET');
    expect(seen[0].url).toBe('/api/datasources/proxy/uid/u/api/v1/label/http_route/values?start=1');
    expect(seen[0].data).toBeUndefined();
  });

  it('surfaces a Prometheus bad_data answer as a bad_data PrometheusError', async () => {
    const transport = proxyTransport(
      'u',
      srvWith(() =>
        throwError(() => ({
          status: 400,
          data: { status: 'error', errorType: 'bad_data', error: 'parse error at char 3' },
        }))
      )
    );
    const err = (await transport('/api/v1/query', params()).catch((e: unknown) => e)) as PrometheusError;
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err.kind).toBe('bad_data');
    expect(err.message).toContain('parse error at char 3');
  });

  it('unsubscribes from the fetch when the signal aborts and rejects as canceled', async () => {
    let unsubscribed = false;
    const transport = proxyTransport(
      'u',
      srvWith(
        () =>
          new Observable(() => () => {
            unsubscribed = true;
          })
      )
    );
    const controller = new AbortController();
    const pending = transport('/api/v1/query', params(), { signal: controller.signal });
    controller.abort();
    const err = (await pending.catch((e: unknown) => e)) as PrometheusError;
    expect(unsubscribed).toBe(true);
    expect(err.kind).toBe('canceled');
  });

  it('does not send at all when the signal is already aborted', async () => {
    let sent = false;
    const transport = proxyTransport(
      'u',
      srvWith(() => {
        sent = true;
        return of({ data: {} });
      })
    );
    const controller = new AbortController();
    controller.abort();
    await expect(transport('/api/v1/query', params(), { signal: controller.signal })).rejects.toMatchObject({
      kind: 'canceled',
    });
    expect(sent).toBe(false);
  });
});

describe('fetchErrorToPrometheusError', () => {
  it.each([
    [{ status: 502, data: { message: 'Bad Gateway' } }, 'unreachable', /unreachable/],
    [{ status: 0, data: undefined, statusText: 'Network error' }, 'unreachable', /Network error/],
    [{ status: 404, data: { message: 'Data source not found' } }, 'http', /not found/],
    [{ status: 403, data: { message: 'Forbidden' } }, 'http', /permissions/],
    [{ status: 422, data: { status: 'error', errorType: 'execution', error: 'boom' } }, 'execution', /boom/],
    [
      { status: 503, data: { status: 'error', errorType: 'timeout', error: 'query timed out' } },
      'timeout',
      /timed out/,
    ],
    [{ cancelled: true, status: -1, data: {} }, 'canceled', /canceled/],
  ])('maps %j to %s', (input, kind, message) => {
    const e = fetchErrorToPrometheusError(input, '/api/datasources/proxy/uid/u');
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(message);
  });
});
