import { ALL, createSceneTemplateSrv as sceneTemplateSrv } from '../test/sceneTemplateSrv';
import { filterMatcher, interpolateFilter } from './variables';

// Interpolation is Grafana's own (src/test/sceneTemplateSrv.ts): the variables are Scenes' CustomVariables and
// `replace` is sceneGraph.interpolate, as in a Grafana 12 dashboard.

describe('interpolateFilter (through Scenes)', () => {
  it('keeps literals and expands single and multi-value variables to raw values', () => {
    const srv = sceneTemplateSrv({ route: { value: ['/a', '/b'] }, one: { value: '/c' } });
    expect(interpolateFilter(['/x', '$route', '${one}'], {}, srv)).toEqual({
      all: false,
      values: ['/x', '/a', '/b', '/c'],
    });
  });

  it('expands a variable inside literal text', () => {
    const srv = sceneTemplateSrv({ id: { value: ['1', '2'] } });
    expect(interpolateFilter(['/runs/$id/x'], {}, srv)).toEqual({ all: false, values: ['/runs/1/x', '/runs/2/x'] });
  });

  it('treats an empty filter as no filter', () => {
    expect(interpolateFilter([], {}, sceneTemplateSrv({}))).toEqual({ all: true });
  });

  it('reads "All" with a custom all value (which Scenes hands out unformatted) as no filter', () => {
    // The bundled dashboards' route/method/status variables: includeAll, multi, allValue ".*".
    const srv = sceneTemplateSrv({ route: { value: [ALL], options: ['/a', '/b'], includeAll: true, allValue: '.*' } });
    expect(srv.replace('$route', {}, () => 'formatted')).toBe('.*');
    expect(interpolateFilter(['$route'], {}, srv)).toEqual({ all: true });
    expect(interpolateFilter(['${route}'], {}, srv)).toEqual({ all: true });
    expect(interpolateFilter(['[[route]]'], {}, srv)).toEqual({ all: true });
  });

  it('reads "All" without a custom all value as every option', () => {
    const srv = sceneTemplateSrv({ route: { value: [ALL], options: ['/a', '/b'], includeAll: true } });
    expect(interpolateFilter(['$route'], {}, srv)).toEqual({ all: false, values: ['/a', '/b'] });
  });

  it('ignores a format written into a filter entry: a filter takes raw values', () => {
    const srv = sceneTemplateSrv({ route: { value: ['/a.b', '/c'] } });
    expect(interpolateFilter(['${route:regex}', '${route:csv}'], {}, srv)).toEqual({
      all: false,
      values: ['/a.b', '/c'],
    });
  });

  it('leaves an unknown variable as literal text, as Grafana does', () => {
    expect(interpolateFilter(['$nope'], {}, sceneTemplateSrv({}))).toEqual({ all: false, values: ['$nope'] });
  });

  it('takes a scoped value (a repeated panel) over the dashboard value', () => {
    const srv = sceneTemplateSrv({ route: { value: [ALL], options: ['/a', '/b'], includeAll: true, allValue: '.*' } });
    expect(interpolateFilter(['$route'], { route: { text: '/b', value: '/b' } }, srv)).toEqual({
      all: false,
      values: ['/b'],
    });
  });

  it('passes hostile values through as data, not as PromQL', () => {
    const hostile = '"} or vector(1) #';
    const srv = sceneTemplateSrv({ route: { value: [hostile, 'a\\b\n'] } });
    const filter = interpolateFilter(['$route'], {}, srv);
    expect(filter).toEqual({ all: false, values: [hostile, 'a\\b\n'] });
    const matcher = filterMatcher('http_route', filter);
    // The whole value stays inside one quoted regex: no unescaped quote can end it early.
    expect(matcher.startsWith('http_route=~"(')).toBe(true);
    expect(matcher.endsWith(')"')).toBe(true);
    const inner = matcher.slice('http_route=~"'.length, -1);
    expect(inner).not.toMatch(/(^|[^\\])(\\\\)*"/);
    expect(matcher).not.toContain('\n');
  });

  it('a value that looks like a token cannot smuggle in another variable value', () => {
    const srv = sceneTemplateSrv({ route: { value: '\u00000\u0000' } });
    expect(interpolateFilter(['$route'], {}, srv)).toEqual({ all: false, values: ['\u00000\u0000'] });
  });
});

describe('filterMatcher', () => {
  it('uses an exact matcher for one value and an escaped alternation for several', () => {
    expect(filterMatcher('http_route', { all: false, values: ['/a.b'] })).toBe('http_route="/a.b"');
    expect(filterMatcher('http_route', { all: false, values: ['/a.b', '/c'] })).toBe('http_route=~"(/a\\\\.b|/c)"');
    expect(filterMatcher('http_route', { all: true })).toBe('');
  });
});
