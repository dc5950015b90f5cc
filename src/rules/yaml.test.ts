/**
 * @jest-environment node
 */
// The emitter is checked against an independent YAML 1.2 parser (`yaml`, already installed with
// @grafana/plugin-e2e): whatever strings go in come back out, and the structure never changes.
import fc from 'fast-check';
import { parse } from 'yaml';
import { quoteString, toYaml, type YamlValue } from './yaml';

const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    'a\nb',
    'x: y',
    '- item',
    '#no',
    '"q"',
    '\\',
    '  lead',
    'trail\n',
    '|',
    '>',
    '\u2028',
    '\u0085',
    '\ud800'
  )
);

function expected(v: string): string {
  // Lone surrogates cannot exist in YAML; they are written as U+FFFD.
  return v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

describe('toYaml', () => {
  it('round-trips any string through a YAML parser, quoted or as a literal block', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(parse(toYaml({ v: s }))).toEqual({ v: expected(s) });
        expect(parse(toYaml([s, { k: s }]))).toEqual([expected(s), { k: expected(s) }]);
      }),
      { numRuns: 400 }
    );
  });

  it('round-trips nested maps and lists', () => {
    const value = fc.letrec<{ v: YamlValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.boolean(),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 3 })
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const back = parse(toYaml(v));
        expect(back).toEqual(JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'string' ? expected(x) : x))));
      }),
      { numRuns: 300 }
    );
  });

  it('writes multi-line text as a literal block and keeps one-liners quoted', () => {
    expect(toYaml({ expr: 'a\nand b' })).toBe('expr: |-\n  a\n  and b\n');
    expect(toYaml({ for: '2m' })).toBe('for: "2m"\n');
    expect(toYaml({ groups: [{ name: 'g', rules: [] }] })).toBe('groups:\n  - name: "g"\n    rules: []\n');
  });

  it('refuses keys that would need quoting and numbers YAML cannot hold', () => {
    expect(() => toYaml({ 'a: b': 1 })).toThrow(/not a plain identifier/);
    expect(() => toYaml({ a: NaN })).toThrow(RangeError);
  });

  it('escapes quotes, backslashes and control characters', () => {
    expect(quoteString('a"b\\c\nd\u0007')).toBe('"a\\"b\\\\c\\nd\\u0007"');
    expect(toYaml({ v: 'a"b\u0007' })).toBe('v: "a\\"b\\u0007"\n');
    expect(toYaml({ expr: 'up{job="x"} == 0' })).toBe('expr: |-\n  up{job="x"} == 0\n');
  });
});
