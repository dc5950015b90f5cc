// A YAML emitter for the one shape rule files have (maps, lists, strings, numbers, booleans). Written here rather
// than depending on a YAML library because the CLI and the app bundle it, and emitting (not parsing) this subset
// is small: keys are plain identifiers, multi-line strings become literal blocks, every other string is
// double-quoted, so nothing a label value or a catalog text holds can change the structure.

export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue | undefined };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
// YAML 1.2 c-printable minus what a literal block cannot hold; \n separates lines.
const NOT_LITERAL_SAFE = /[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function hex4(code: number): string {
  return '\\u' + code.toString(16).padStart(4, '0');
}

/** A double-quoted YAML scalar that decodes to exactly `text` (lone surrogates, which YAML cannot hold, become U+FFFD). */
export function quoteString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += text[i] + text[i + 1];
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    if (c === 0x22) {
      out += '\\"';
    } else if (c === 0x5c) {
      out += '\\\\';
    } else if (c === 0x0a) {
      out += '\\n';
    } else if (c === 0x09) {
      out += '\\t';
    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff) {
      out += hex4(c);
    } else {
      out += text[i];
    }
  }
  return out + '"';
}

/**
 * Multi-line text, and text with quotes or backslashes (PromQL), reads best as a literal block: nothing in it is
 * escaped. Literal blocks need printable text whose first line does not start with a space (no indentation
 * indicator) and no trailing newline (the `-` chomping drops it).
 */
function literalSafe(text: string): boolean {
  return /[\n"\\]/.test(text) && !NOT_LITERAL_SAFE.test(text) && !/^[ \n]/.test(text) && !/\n$/.test(text);
}

function scalar(value: string | number | boolean, indent: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new RangeError(`cannot write ${value} to YAML`);
    }
    return String(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (literalSafe(value)) {
    return (
      '|-\n' +
      value
        .split('\n')
        .map((line) => (line === '' ? '' : indent + line))
        .join('\n')
    );
  }
  return quoteString(value);
}

function key(name: string): string {
  if (!PLAIN_KEY.test(name)) {
    throw new TypeError(`YAML key "${name}" is not a plain identifier`);
  }
  return name;
}

function isScalar(v: YamlValue): v is string | number | boolean {
  return typeof v !== 'object';
}

function entries(v: { [key: string]: YamlValue | undefined }): Array<[string, YamlValue]> {
  return Object.entries(v).filter((e): e is [string, YamlValue] => e[1] !== undefined);
}

function emit(value: YamlValue, indent: string): string[] {
  if (isScalar(value)) {
    return [indent + scalar(value, indent + '  ')];
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return [indent + '[]'];
    }
    return value.flatMap((item) => {
      if (isScalar(item)) {
        return [`${indent}- ${scalar(item, indent + '  ')}`];
      }
      const inner = emit(item, indent + '  ');
      // The first line of the nested block moves up beside the dash.
      return [`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1)];
    });
  }
  const list = entries(value);
  if (list.length === 0) {
    return [indent + '{}'];
  }
  return list.flatMap(([k, v]) => {
    if (isScalar(v)) {
      return [`${indent}${key(k)}: ${scalar(v, indent + '  ')}`];
    }
    if ((Array.isArray(v) && v.length === 0) || (!Array.isArray(v) && entries(v).length === 0)) {
      return [`${indent}${key(k)}: ${Array.isArray(v) ? '[]' : '{}'}`];
    }
    return [`${indent}${key(k)}:`, ...emit(v, indent + '  ')];
  });
}

/** The YAML document for `value`, ending in a newline. */
export function toYaml(value: YamlValue): string {
  return emit(value, '').join('\n') + '\n';
}
