/** @jest-environment node */
import fc from 'fast-check';

import { labelMatcher } from './escape';
import { SelectorError, validateSelector } from './selector';

describe('validateSelector', () => {
  it('accepts matcher lists and writes them canonically', () => {
    expect(validateSelector('')).toBe('');
    expect(validateSelector('  ')).toBe('');
    expect(validateSelector('service_name="prefect-server"')).toBe('service_name="prefect-server"');
    expect(validateSelector('{ job =~ "prefect.*" ,instance!=\'a:1\', }')).toBe('job=~"prefect.*", instance!="a:1"');
    expect(validateSelector('a=`raw\\n`')).toBe('a="raw\\\\n"');
    expect(validateSelector('a="\\x41\\u00e9\\101"')).toBe('a="AéA"');
    expect(validateSelector('"service.name"="prefect-server", "http.route"=~"/api/.*"')).toBe(
      '"service.name"="prefect-server", "http.route"=~"/api/.*"'
    );
  });

  it.each([
    ['a="1"} or vector(1) #', /comma/],
    ['a=b', /quoted value/],
    ['a', /operator/],
    ['a=="1"', /quoted value/],
    ['"unterminated', /operator|closing quote/],
    ['a="x', /closing quote/],
    ['a="\\q"', /known escape/],
    ['a="1" b="2"', /comma/],
    ['__name__="x"', /metric field/],
    ['9a="1"', /label name/],
    ['a="1"; drop', /comma/],
  ])('rejects %s', (text, message) => {
    expect(() => validateSelector(text)).toThrow(SelectorError);
    expect(() => validateSelector(text)).toThrow(message);
  });

  it('gives the position and an example', () => {
    expect(() => validateSelector('a="1", b')).toThrow(/character 9.*service_name="prefect-server"/);
  });

  it('keeps any value escaped by labelMatcher unchanged (round trip)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            // Dotted names (Prometheus 3's UTF-8 labels) come quoted and must round-trip the same way.
            fc.constantFrom('job', 'service_name', '_x', 'service.name', 'http.route', 'exported_job'),
            fc.constantFrom('=', '!=' as const),
            fc.string({ unit: 'binary' })
          ),
          { maxLength: 4 }
        ),
        (parts) => {
          const text = parts.map(([l, op, v]) => labelMatcher(l, op, v)).join(', ');
          expect(validateSelector(text)).toBe(text);
          expect(validateSelector(validateSelector(text))).toBe(text);
        }
      ),
      { numRuns: 500 }
    );
  });
});
