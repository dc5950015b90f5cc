import { NEVER, Observable, of, throwError } from 'rxjs';
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';
import { PrometheusError } from '../prometheus/errors';
import { resourceErrorToPrometheusError, resourceTransport } from './resourceTransport';

function srvWith(fetch: (req: BackendSrvRequest) => Observable<unknown>): () => BackendSrv {
  return () => ({ fetch }) as unknown as BackendSrv;
}

const params = () => new URLSearchParams({ query: 'up{job="a b"}', start: '1', end: '2', step: '15' });

describe('resourceTransport', () => {
  it('POSTs the form to the resource route of the chosen uid and returns the body', async () => {
    const seen: BackendSrvRequest[] = [];
    const backendSrv = srvWith((req) => {
      seen.push(req);
      return of({ data: { status: 'success', data: { resultType: 'matrix', result: [] } }, status: 200 });
    });
    const body = await resourceTransport('prom/1', { backendSrv })('/api/v1/query_range', params());
    expect(body).toEqual({ status: 'success', data: { resultType: 'matrix', result: [] } });
    expect(seen[0].url).toBe('/api/datasources/uid/prom%2F1/resources/api/v1/query_range');
    expect(seen[0].method).toBe('POST');
    expect(new URLSearchParams(seen[0].data).get('query')).toBe('up{job="a b"}');
    expect(seen[0].headers?.['Content-Type']).toBe('application/x-www-form-urlencoded');
  });

  it('uses GET with the query string for label values', async () => {
    const seen: BackendSrvRequest[] = [];
    const backendSrv = srvWith((req) => {
      seen.push(req);
      return of({ data: { status: 'success', data: ['a'] }, status: 200 });
    });
    await resourceTransport('u', { backendSrv })(
      '/api/v1/label/http_route/values',
      new URLSearchParams({ start: '1' })
    );
    expect(seen[0].method).toBe('GET');
    expect(seen[0].url).toBe('/api/datasources/uid/u/resources/api/v1/label/http_route/values?start=1');
    expect(seen[0].data).toBeUndefined();
  });

  // Thanos routes /api/v1/stores on GET only: a POST would be answered 405 and, remembered, turn every later
  // query of the data source into a GET.
  it("asks for Thanos's store list with GET, and later queries still POST", async () => {
    const seen: BackendSrvRequest[] = [];
    const backendSrv = srvWith((req) => {
      seen.push(req);
      return of({ data: { status: 'success', data: {} }, status: 200 });
    });
    const transport = resourceTransport('u', { backendSrv });
    await transport('/api/v1/stores', new URLSearchParams());
    await transport('/api/v1/query', params());
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/datasources/uid/u/resources/api/v1/stores',
      'POST /api/datasources/uid/u/resources/api/v1/query',
    ]);
  });

  it('sends GET only, with the form in the query string, for a data source whose httpMethod is GET', async () => {
    const seen: BackendSrvRequest[] = [];
    const backendSrv = srvWith((req) => {
      seen.push(req);
      return of({ data: { status: 'success', data: [] }, status: 200 });
    });
    await resourceTransport('u', { backendSrv, httpMethod: 'GET' })('/api/v1/series', params());
    expect(seen.map((r) => r.method)).toEqual(['GET']);
    expect(new URL(seen[0].url, 'http://x').searchParams.get('query')).toBe('up{job="a b"}');
    expect(seen[0].data).toBeUndefined();
  });

  // packages/grafana-prometheus/src/datasource.ts metadataRequest: POST refused with 405 or 400 -> the same call as GET.
  it.each([405, 400])('retries a POST answered %i as GET, and keeps GET after a 405', async (status) => {
    const seen: string[] = [];
    const backendSrv = srvWith((req) => {
      seen.push(req.method!);
      return req.method === 'POST'
        ? throwError(() => ({ status, data: '', statusText: 'Method Not Allowed' }))
        : of({ data: { status: 'success', data: { resultType: 'vector', result: [] } }, status: 200 });
    });
    const transport = resourceTransport('u', { backendSrv });
    await expect(transport('/api/v1/query', params())).resolves.toMatchObject({ status: 'success' });
    await transport('/api/v1/query', params());
    expect(seen).toEqual(status === 405 ? ['POST', 'GET', 'GET'] : ['POST', 'GET', 'POST', 'GET']);
  });

  it('does not retry other failures as GET', async () => {
    const seen: string[] = [];
    const backendSrv = srvWith((req) => {
      seen.push(req.method!);
      return throwError(() => ({ status: 500, data: { message: 'An error occurred within the plugin' } }));
    });
    await expect(resourceTransport('u', { backendSrv })('/api/v1/query', params())).rejects.toMatchObject({
      kind: 'unreachable',
    });
    expect(seen).toEqual(['POST']);
  });

  it('surfaces a relayed Prometheus bad_data answer as a bad_data PrometheusError', async () => {
    const backendSrv = srvWith(() =>
      throwError(() => ({
        status: 400,
        data: { status: 'error', errorType: 'bad_data', error: 'parse error at char 3' },
      }))
    );
    const err = (await resourceTransport('u', { backendSrv })('/api/v1/query', params()).catch(
      (e: unknown) => e
    )) as PrometheusError;
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err.kind).toBe('bad_data');
    expect(err.message).toContain('parse error at char 3');
  });

  it('unsubscribes from the fetch when the signal aborts and rejects as canceled', async () => {
    let unsubscribed = false;
    const backendSrv = srvWith(
      () =>
        new Observable(() => () => {
          unsubscribed = true;
        })
    );
    const controller = new AbortController();
    const pending = resourceTransport('u', { backendSrv })('/api/v1/query', params(), { signal: controller.signal });
    controller.abort();
    const err = (await pending.catch((e: unknown) => e)) as PrometheusError;
    expect(unsubscribed).toBe(true);
    expect(err.kind).toBe('canceled');
  });

  it('gives up at the time limit, cancels the fetch and says it timed out', async () => {
    let unsubscribed = false;
    const backendSrv = srvWith(
      () =>
        new Observable(() => () => {
          unsubscribed = true;
        })
    );
    const err = (await resourceTransport('prom', { backendSrv, timeoutSeconds: 0.05 })('/api/v1/query', params()).catch(
      (e: unknown) => e
    )) as PrometheusError;
    expect(unsubscribed).toBe(true);
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/"prom" within the request time limit of 0.05 s/);
  });

  it('does not send at all when the signal is already aborted', async () => {
    let sent = false;
    const backendSrv = srvWith(() => {
      sent = true;
      return NEVER;
    });
    const controller = new AbortController();
    controller.abort();
    await expect(
      resourceTransport('u', { backendSrv })('/api/v1/query', params(), { signal: controller.signal })
    ).rejects.toMatchObject({ kind: 'canceled' });
    expect(sent).toBe(false);
  });
});

describe('resourceErrorToPrometheusError', () => {
  // Bodies as Grafana writes them (JsonApiErr: {"message", "traceID"}) or as Prometheus does, relayed.
  it.each([
    [{ status: 401, data: { message: 'Unauthorized' } }, 'http', /401.*session has ended.*credentials/],
    [{ status: 403, data: { message: 'Access denied to datasource', traceID: '' } }, 'http', /403.*query permission/],
    [
      { status: 500, data: { message: 'Unable to load datasource meta data', traceID: '' } },
      'http',
      /no longer exists/,
    ],
    [{ status: 404, data: { message: 'Plugin not found' } }, 'http', /404.*plugin may be missing/],
    [{ status: 404, data: '404 page not found\n' }, 'http', /404 page not found.*API root/],
    [{ status: 500, data: { message: 'Failed to call resource', traceID: '' } }, 'unreachable', /unreachable through/],
    [{ status: 503, data: { message: 'Plugin unavailable' } }, 'unavailable', /not running/],
    // Grafana 12.4+ (pkg/plugins/errors.go through response.ErrOrFallback): 500 with the errutil public message.
    [
      {
        status: 500,
        data: {
          message: 'An error occurred within the plugin',
          messageId: 'plugin.requestFailureError',
          statusCode: 500,
          traceID: 'abc',
        },
      },
      'unreachable',
      /unreachable through the Prometheus data source "prom" \(HTTP 500: An error occurred within the plugin, trace ID abc\).*Grafana server log/,
    ],
    [
      { status: 500, data: { message: 'Plugin unavailable', messageId: 'plugin.unavailable', statusCode: 500 } },
      'unavailable',
      /plugin behind the Prometheus data source "prom" is not running \(HTTP 500: Plugin unavailable\)/,
    ],
    [
      {
        status: 500,
        data: {
          error: 'Server Error',
          message: 'Internal Server Error - please inspect Grafana server log for details',
        },
      },
      'http',
      /Grafana failed while serving .*HTTP method is GET/,
    ],
    [{ status: 405, data: '', statusText: 'Method Not Allowed' }, 'http', /405.*Neither POST nor GET/],
    [{ status: 0, data: undefined, statusText: 'Network error' }, 'unreachable', /Network error/],
    [{ status: 422, data: { status: 'error', errorType: 'execution', error: 'boom' } }, 'execution', /boom/],
    [
      { status: 503, data: { status: 'error', errorType: 'timeout', error: 'query timed out' } },
      'timeout',
      /timed out/,
    ],
    [{ cancelled: true, status: -1, data: {} }, 'canceled', /canceled/],
  ])('maps %j to %s', (input, kind, message) => {
    const e = resourceErrorToPrometheusError(input, 'prom');
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(message);
  });
});
