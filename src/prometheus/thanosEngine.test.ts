import { THANOS_ENGINE_PARAMS, withRangeParams } from './thanosEngine';
import { createPrometheusApi } from './client';
import type { PrometheusTransport } from './types';

describe('withRangeParams', () => {
  function recording() {
    const sent: Array<{ path: string; params: URLSearchParams }> = [];
    const transport: PrometheusTransport = async (path, params) => {
      sent.push({ path, params });
      if (path.endsWith('/labels') || path.includes('/label/')) {
        return { status: 'success', data: [] };
      }
      if (path.endsWith('/series')) {
        return { status: 'success', data: [] };
      }
      return {
        status: 'success',
        data: { resultType: path.endsWith('query_range') ? 'matrix' : 'vector', result: [] },
      };
    };
    return { sent, api: withRangeParams(createPrometheusApi(transport), THANOS_ENGINE_PARAMS) };
  }

  it('adds the engine to every range query as a form parameter', async () => {
    const { sent, api } = recording();
    await api.queryRange('up', { start: 0, end: 60, step: 15 });
    expect(sent[0].path).toBe('/api/v1/query_range');
    expect(sent[0].params.get('engine')).toBe('thanos');
    expect(sent[0].params.get('query')).toBe('up');
  });

  it("keeps the call's own parameters beside it, and a value the call names wins", async () => {
    const { sent, api } = recording();
    await api.queryRange('up', { start: 0, end: 60, step: 15 }, { params: { max_source_resolution: '5m' } });
    await api.queryRange('up', { start: 0, end: 60, step: 15 }, { params: { engine: 'prometheus' } });
    expect(sent[0].params.get('max_source_resolution')).toBe('5m');
    expect(sent[0].params.get('engine')).toBe('thanos');
    expect(sent[1].params.get('engine')).toBe('prometheus');
  });

  it('leaves the other calls alone', async () => {
    const { sent, api } = recording();
    await api.query('up', 60);
    await api.series(['up'], 0, 60);
    expect(sent.map((s) => s.params.has('engine'))).toEqual([false, false]);
  });
});
