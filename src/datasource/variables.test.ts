import type { ScopedVars } from '@grafana/data';
import { filterMatcher, interpolateFilter } from './variables';

// A stand-in with Grafana's replace contract: `$name` / `${name}` become format(value, variable).
function fakeTemplateSrv(vars: Record<string, { value: string | string[]; allValue?: string }>) {
  return {
    replace(target = '', _scoped?: ScopedVars, format?: string | Function) {
      return target.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, a, b) => {
        const v = vars[a ?? b];
        if (!v) {
          return match;
        }
        return typeof format === 'function' ? format(v.value, { allValue: v.allValue }) : String(v.value);
      });
    },
  };
}

describe('interpolateFilter', () => {
  it('keeps literals and expands single and multi-value variables to raw values', () => {
    const srv = fakeTemplateSrv({ route: { value: ['/a', '/b'] }, one: { value: '/c' } });
    expect(interpolateFilter(['/x', '$route', '${one}'], {}, srv)).toEqual({
      all: false,
      values: ['/x', '/a', '/b', '/c'],
    });
  });

  it('expands a variable inside literal text', () => {
    const srv = fakeTemplateSrv({ id: { value: ['1', '2'] } });
    expect(interpolateFilter(['/runs/$id/x'], {}, srv)).toEqual({ all: false, values: ['/runs/1/x', '/runs/2/x'] });
  });

  it('treats an empty filter and a custom all value as no filter', () => {
    const srv = fakeTemplateSrv({ route: { value: '.*', allValue: '.*' } });
    expect(interpolateFilter([], {}, srv)).toEqual({ all: true });
    expect(interpolateFilter(['$route'], {}, srv)).toEqual({ all: true });
  });

  it('passes hostile values through as data, not as PromQL', () => {
    const hostile = '"} or vector(1) #';
    const srv = fakeTemplateSrv({ route: { value: [hostile, 'a\\b\n'] } });
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
    const srv = fakeTemplateSrv({ route: { value: '\u00000\u0000' } });
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
