// Every string that goes into PromQL passes through here. All value escapers return text meant to sit between
// double quotes: `label="<here>"`.

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// OpenTelemetry attribute names as Prometheus 3 keeps them (`http.route`); only usable quoted.
const DOTTED_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_.]*$/;
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// Go's regexp.QuoteMeta set; every one of them is also a JS SyntaxCharacter, so `\x` stays valid under the `u` flag.
const RE2_META = /[\\.+*?()|[\]{}^$]/g;

export type MatcherOp = '=' | '!=' | '=~' | '!~';

function hex4(code: number): string {
  return code.toString(16).padStart(4, '0');
}

/**
 * Escapes a value for a PromQL double-quoted string so that it decodes (Go string-literal rules) to exactly `value`.
 * Control characters are written as escapes because the PromQL lexer rejects a raw newline, and U+FFFD is escaped
 * because the lexer reads a raw U+FFFD as an invalid UTF-8 rune. A lone UTF-16 surrogate cannot exist in UTF-8 and
 * becomes `\uFFFD`, which is what any UTF-8 encoder would send anyway.
 */
export function escapeExact(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += value[i] + value[i + 1];
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    switch (c) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      default:
        out += c < 0x20 || c === 0x7f || c === 0xfffd ? '\\u' + hex4(c) : value[i];
    }
  }
  return out;
}

/** Escapes RE2 metacharacters only (the regex layer): the result, as a regex, matches `value` literally. */
export function quoteRegexMeta(value: string): string {
  return value.replace(RE2_META, '\\$&');
}

/** Value for a `=~`/`!~` matcher that matches exactly `value`: regex layer first, then the string layer. */
export function escapeRegex(value: string): string {
  return escapeExact(quoteRegexMeta(value));
}

/** `(a|b|c)` matching exactly one of the values, ready to sit between double quotes. */
export function regexAlternation(values: string[]): string {
  if (values.length === 0) {
    throw new RangeError('regexAlternation needs at least one value');
  }
  return '(' + values.map(escapeRegex).join('|') + ')';
}

/** Classic Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`), usable bare everywhere. */
export function isValidLabelName(name: string): boolean {
  return LEGACY_LABEL_NAME.test(name);
}

export function isLegacyMetricName(name: string): boolean {
  return LEGACY_METRIC_NAME.test(name);
}

/**
 * A label name as it may appear in a matcher or a `by (…)` list. Dotted OpenTelemetry names (Prometheus 3 only)
 * are quoted; anything else is refused so that a typo surfaces here rather than as a PromQL parse error.
 */
export function labelRef(name: string): string {
  if (isValidLabelName(name)) {
    return name;
  }
  if (DOTTED_LABEL_NAME.test(name)) {
    return `"${escapeExact(name)}"`;
  }
  throw new TypeError(`"${name}" is not a valid Prometheus label name (letters, digits and _ only, not first a digit)`);
}

/** One matcher, `label op "value"`, with the value escaped for the operator so it is taken literally. */
export function labelMatcher(label: string, op: MatcherOp, value: string): string {
  const escaped = op === '=' || op === '!=' ? escapeExact(value) : escapeRegex(value);
  return `${labelRef(label)}${op}"${escaped}"`;
}

/**
 * A full selector. Names that are not classic metric names (Prometheus 3 UTF-8 names such as
 * `prefect.server.api.request.duration`) use the `{__name__="…"}` form, which Prometheus 2.x parses too.
 * `matchers` are already-built matchers (from labelMatcher or a validated selector); empty entries are dropped.
 */
export function metricSelector(name: string, matchers: string[]): string {
  if (name === '') {
    throw new TypeError('metric name must not be empty');
  }
  const rest = matchers.filter((m) => m.trim() !== '');
  if (isLegacyMetricName(name)) {
    return rest.length === 0 ? name : `${name}{${rest.join(', ')}}`;
  }
  return `{${[`__name__="${escapeExact(name)}"`, ...rest].join(', ')}}`;
}
