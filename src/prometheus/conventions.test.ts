/** @jest-environment node */
import { CONVENTIONS, getConvention, otelSpellings } from './conventions';

describe('CONVENTIONS', () => {
  it("follows the spec table's order, names and units", () => {
    expect(CONVENTIONS.map((c) => [c.id, c.name, c.unit])).toEqual([
      ['prefect', 'prefect_server_api_request_duration_seconds', 'seconds'],
      ['prefect-utf8', 'prefect.server.api.request.duration', 'seconds'],
      ['otel-stable', 'http_server_request_duration_seconds', 'seconds'],
      ['otel-legacy-ms', 'http_server_duration_milliseconds', 'milliseconds'],
      ['fastapi-instrumentator', 'http_request_duration_seconds', 'seconds'],
    ]);
  });

  it('prefers the OpenTelemetry label names and accepts the others', () => {
    for (const c of CONVENTIONS) {
      expect(c.routeLabels.slice(0, 4)).toEqual(['http_route', 'route', 'handler', 'http_target']);
      expect(c.methodLabels.slice(0, 3)).toEqual(['http_request_method', 'http_method', 'method']);
    }
    expect(getConvention('otel-stable')!.statusLabels).toEqual([
      'http_response_status_code',
      'http_status_code',
      'status_code',
      'status',
      'code',
      'http.response.status_code',
      'http.status_code',
    ]);
    expect(getConvention('prefect-utf8')!.routeLabels).toContain('http.route');
  });

  it('knows every name the OTLP translation strategies give each instrument, the spec name among them', () => {
    expect(otelSpellings('http.server.request.duration', 's')).toEqual([
      'http_server_request_duration_seconds',
      'http.server.request.duration_seconds',
      'http_server_request_duration',
      'http.server.request.duration',
    ]);
    expect(Object.fromEntries(CONVENTIONS.map((c) => [c.id, c.spellings]))).toEqual({
      prefect: ['prefect_server_api_request_duration_seconds', 'prefect_server_api_request_duration'],
      'prefect-utf8': ['prefect.server.api.request.duration_seconds', 'prefect.server.api.request.duration'],
      'otel-stable': otelSpellings('http.server.request.duration', 's'),
      'otel-legacy-ms': [
        'http_server_duration_milliseconds',
        'http.server.duration_milliseconds',
        'http_server_duration',
        'http.server.duration',
      ],
      'fastapi-instrumentator': ['http_request_duration_seconds'],
    });
    for (const c of CONVENTIONS) {
      expect(c.spellings).toContain(c.name);
    }
  });

  it('reads fastapi-instrumentator statuses from its companion counter', () => {
    const c = getConvention('fastapi-instrumentator')!;
    expect(c.statusLabels).toEqual([]);
    expect(c.statusCounter).toEqual({ name: 'http_requests_total', label: 'status' });
  });
});
