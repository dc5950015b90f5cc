/** @jest-environment node */
import fc from 'fast-check';

import {
  escapeExact,
  escapeRegex,
  isValidLabelName,
  labelMatcher,
  labelRef,
  metricSelector,
  quoteRegexMeta,
  regexAlternation,
} from './escape';

/**
 * Independent reading of a PromQL double-quoted string literal starting at `text[start]` (which must be `"`):
 * the PromQL lexer (no raw newline, no raw U+FFFD, known escapes only) followed by Go's strconv.Unquote
 * (`\x`/octal produce bytes, `\u`/`\U` produce runes, no surrogates, `\'` refused inside double quotes).
 * Returns the decoded value and the index just after the closing quote.
 */
function decodePromString(text: string, start: number): { value: string; end: number } {
  if (text[start] !== '"') {
    throw new Error('not a double-quoted string');
  }
  const bytes: number[] = [];
  const pushRune = (cp: number) => bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
  const readHex = (from: number, n: number) => {
    const digits = text.slice(from, from + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) {
      throw new Error(`bad hex escape at ${from}`);
    }
    return parseInt(digits, 16);
  };
  let i = start + 1;
  for (;;) {
    if (i >= text.length) {
      throw new Error('unterminated string');
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    if (cp === 0x22) {
      i++;
      break;
    }
    if (cp === 0x0a) {
      throw new Error('raw newline in string');
    }
    if (cp === 0xfffd || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new Error('invalid UTF-8 rune');
    }
    if (cp !== 0x5c) {
      pushRune(cp);
      i += width;
      continue;
    }
    const e = text[i + 1];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c, '"': 0x22 };
    if (e !== undefined && e in simple) {
      bytes.push(simple[e]);
      i += 2;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const digits = text.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) {
        throw new Error('bad octal escape');
      }
      bytes.push(parseInt(digits, 8));
      i += 4;
    } else if (e === 'x') {
      bytes.push(readHex(i + 2, 2));
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const v = readHex(i + 2, n);
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        throw new Error('invalid rune escape');
      }
      pushRune(v);
      i += 2 + n;
    } else {
      throw new Error(`unknown escape \\${e}`);
    }
  }
  const value = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  return { value, end: i };
}

const hostile = fc.constantFrom(
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u007f',
  '\ufffd',
  '}',
  '{',
  "'",
  '`',
  ',',
  '"} or vector(1) #',
  '\\"',
  '.*',
  '|',
  '$',
  '^',
  '(',
  ')',
  '[',
  ']',
  '+',
  '?',
  '/',
  '-',
  '\u2028',
  '😀'
);
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: hostile, maxLength: 12 }),
  fc.string({ unit: fc.oneof(hostile, fc.string({ unit: 'grapheme-composite', maxLength: 1 })), maxLength: 16 })
);

describe('escapeExact', () => {
  it('decodes back to exactly the input and never ends the literal early', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const literal = `"${escapeExact(value)}"`;
        const query = `m{a=${literal}, b="x"}`;
        const decoded = decodePromString(query, 4);
        expect(decoded.value).toBe(value);
        // The literal closes exactly where we put the closing quote: nothing leaked out of it.
        expect(decoded.end).toBe(4 + literal.length);
        expect(query.slice(decoded.end)).toBe(', b="x"}');
      }),
      { numRuns: 2000 }
    );
  });

  it('writes the usual escapes for quote, backslash and newline', () => {
    expect(escapeExact('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(decodePromString(`"${escapeExact('"} or vector(1) #')}"`, 0).value).toBe('"} or vector(1) #');
  });

  it('turns a lone surrogate into an escaped replacement character (it has no UTF-8 form)', () => {
    const decoded = decodePromString(`"${escapeExact('a\ud800b')}"`, 0);
    expect(decoded.value).toBe('a\ufffdb');
  });
});

describe('escapeRegex', () => {
  it('yields a regex that matches the input and nothing else', () => {
    fc.assert(
      fc.property(anyText, anyText, (value, other) => {
        const regex = decodePromString(`"${escapeRegex(value)}"`, 0).value;
        // Prometheus anchors regex matchers; `s` mirrors its `(?s:…)` wrapping.
        const re = new RegExp(`^(?:${regex})$`, 'su');
        expect(re.test(value)).toBe(true);
        if (other !== value) {
          expect(re.test(other)).toBe(false);
        }
      }),
      { numRuns: 2000 }
    );
  });

  it('does not match strings that a metacharacter would have matched', () => {
    const re = new RegExp(`^(?:${quoteRegexMeta('a.c')})$`, 'u');
    expect(re.test('abc')).toBe(false);
    expect(re.test('a.c')).toBe(true);
  });
});

describe('regexAlternation', () => {
  it('matches each value and nothing else', () => {
    fc.assert(
      fc.property(fc.array(anyText, { minLength: 1, maxLength: 5 }), anyText, (values, other) => {
        const regex = decodePromString(`"${regexAlternation(values)}"`, 0).value;
        const re = new RegExp(`^(?:${regex})$`, 'su');
        for (const v of values) {
          expect(re.test(v)).toBe(true);
        }
        if (!values.includes(other)) {
          expect(re.test(other)).toBe(false);
        }
      }),
      { numRuns: 1000 }
    );
  });

  it('refuses an empty list, which has no matching regex', () => {
    expect(() => regexAlternation([])).toThrow(RangeError);
  });
});

describe('label names and matchers', () => {
  it('accepts classic label names only', () => {
    expect(isValidLabelName('http_route')).toBe(true);
    expect(isValidLabelName('_x9')).toBe(true);
    expect(isValidLabelName('9x')).toBe(false);
    expect(isValidLabelName('a-b')).toBe(false);
    expect(isValidLabelName('')).toBe(false);
    expect(isValidLabelName('a"}')).toBe(false);
  });

  it('quotes dotted OpenTelemetry label names and refuses anything else', () => {
    expect(labelRef('http.route')).toBe('"http.route"');
    expect(() => labelRef('a"} or vector(1)')).toThrow(/not a valid Prometheus label name/);
    expect(() => labelMatcher('', '=', 'x')).toThrow();
  });

  it('keeps every value inside its matcher for every operator', () => {
    fc.assert(
      fc.property(fc.constantFrom('=', '!=', '=~', '!~' as const), anyText, (op, value) => {
        const m = labelMatcher('route', op, value);
        expect(m.startsWith(`route${op}"`)).toBe(true);
        const decoded = decodePromString(m, `route${op}`.length);
        expect(decoded.end).toBe(m.length);
        const expected = op === '=' || op === '!=' ? value : quoteRegexMeta(value);
        expect(decoded.value).toBe(expected);
      }),
      { numRuns: 1000 }
    );
  });
});

// OpenTelemetry attribute names as Prometheus 3 keeps them under the UTF-8 OTLP strategies.
const dottedName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.]{0,20}$/);

describe('quoted (UTF-8) label names', () => {
  it('quote every dotted name so that it decodes to itself, and keep the value inside its own quotes', () => {
    fc.assert(
      fc.property(dottedName, fc.constantFrom('=', '!=', '=~', '!~' as const), anyText, (name, op, value) => {
        const m = labelMatcher(name, op, value);
        let rest: number;
        if (isValidLabelName(name)) {
          expect(m.startsWith(`${name}${op}"`)).toBe(true);
          rest = name.length;
        } else {
          const n = decodePromString(m, 0);
          expect(n.value).toBe(name);
          rest = n.end;
        }
        expect(m.slice(rest, rest + op.length)).toBe(op);
        const v = decodePromString(m, rest + op.length);
        expect(v.end).toBe(m.length);
        expect(v.value).toBe(op === '=' || op === '!=' ? value : quoteRegexMeta(value));
      }),
      { numRuns: 1000 }
    );
  });

  it('keep a dotted metric name and dotted matchers apart inside one selector', () => {
    fc.assert(
      fc.property(dottedName, dottedName, anyText, (metric, label, value) => {
        fc.pre(metric.includes('.') && label.includes('.'));
        const sel = metricSelector(metric, [labelMatcher(label, '=', value)]);
        const name = decodePromString(sel, '{__name__='.length);
        expect(name.value).toBe(metric);
        expect(sel.slice(name.end, name.end + 2)).toBe(', ');
        const l = decodePromString(sel, name.end + 2);
        expect(l.value).toBe(label);
        const v = decodePromString(sel, l.end + 1);
        expect(v.value).toBe(value);
        expect(sel.slice(v.end)).toBe('}');
      }),
      { numRuns: 500 }
    );
  });
});

describe('metricSelector', () => {
  it('uses the bare name for classic metric names', () => {
    expect(metricSelector('foo_bucket', [])).toBe('foo_bucket');
    expect(metricSelector('foo_bucket', ['a="1"', ''])).toBe('foo_bucket{a="1"}');
  });

  it('uses the __name__ form for dotted names', () => {
    expect(metricSelector('prefect.server.api.request.duration', ['a="1"'])).toBe(
      '{__name__="prefect.server.api.request.duration", a="1"}'
    );
  });

  it('never lets a hostile name escape the __name__ matcher', () => {
    fc.assert(
      fc.property(
        anyText.filter((s) => s !== ''),
        (name) => {
          const sel = metricSelector(name, []);
          if (sel === name) {
            expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
            return;
          }
          const decoded = decodePromString(sel, '{__name__='.length);
          expect(decoded.value).toBe(name);
          expect(sel.slice(decoded.end)).toBe('}');
        }
      )
    );
  });
});
