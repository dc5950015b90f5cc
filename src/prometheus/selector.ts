// The user's extra selector (`service_name="prefect-server", job=~"prefect.*"`) is free text from a form field.
// It is parsed, not pasted: only a list of `label op "string"` matchers gets through, re-written in canonical form.
import { escapeExact, labelRef, type MatcherOp } from './escape';

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

const EXAMPLE = 'e.g. service_name="prefect-server", job=~"prefect.*"';
const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 0x5c,
};

interface Cursor {
  text: string;
  pos: number;
}

function fail(c: Cursor, what: string): never {
  const near = c.text.slice(c.pos, c.pos + 20);
  throw new SelectorError(
    `Invalid selector at character ${c.pos + 1}: expected ${what}${near ? ` but found "${near}"` : ' but the text ended'}. ` +
      `Write comma-separated matchers like label="value" (${EXAMPLE}).`
  );
}

function skipSpace(c: Cursor) {
  while (c.pos < c.text.length && /\s/.test(c.text[c.pos])) {
    c.pos++;
  }
}

/** Reads a PromQL string literal ("…", '…' with Go escapes, or `…` raw) at the cursor and returns its value. */
function readString(c: Cursor, what: string): string {
  const quote = c.text[c.pos];
  if (quote !== '"' && quote !== "'" && quote !== '`') {
    fail(c, what);
  }
  const start = c.pos;
  c.pos++;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const pushText = (s: string) => bytes.push(...encoder.encode(s));
  const hex = (n: number) => {
    const digits = c.text.slice(c.pos, c.pos + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) {
      fail(c, `${n} hex digits in an escape`);
    }
    c.pos += n;
    return parseInt(digits, 16);
  };
  for (;;) {
    if (c.pos >= c.text.length) {
      c.pos = start;
      fail(c, 'a closing quote');
    }
    const cp = c.text.codePointAt(c.pos)!;
    const ch = String.fromCodePoint(cp);
    if (ch === quote) {
      c.pos++;
      break;
    }
    if (quote !== '`' && ch === '\n') {
      fail(c, 'no line break inside a quoted value (write \\n)');
    }
    if (quote === '`' || ch !== '\\') {
      pushText(ch);
      c.pos += ch.length;
      continue;
    }
    c.pos++;
    const e = c.text[c.pos] ?? '';
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]);
      c.pos++;
    } else if (e === quote) {
      pushText(e);
      c.pos++;
    } else if (/[0-7]/.test(e)) {
      const digits = c.text.slice(c.pos, c.pos + 3);
      if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) {
        fail(c, 'a three-digit octal escape');
      }
      bytes.push(parseInt(digits, 8));
      c.pos += 3;
    } else if (e === 'x') {
      c.pos++;
      bytes.push(hex(2));
    } else if (e === 'u' || e === 'U') {
      c.pos++;
      const v = hex(e === 'u' ? 4 : 8);
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        fail(c, 'a valid unicode escape');
      }
      pushText(String.fromCodePoint(v));
    } else {
      fail(c, 'a known escape (\\n, \\t, \\\\, \\" …)');
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    c.pos = start;
    return fail(c, 'a value that is valid UTF-8');
  }
}

function readLabel(c: Cursor): string {
  if (c.text[c.pos] === '"') {
    return readString(c, 'a label name');
  }
  const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(c.text.slice(c.pos));
  if (!m) {
    fail(c, 'a label name');
  }
  c.pos += m[0].length;
  return m[0];
}

function readOp(c: Cursor): MatcherOp {
  const two = c.text.slice(c.pos, c.pos + 2);
  if (two === '=~' || two === '!~' || two === '!=') {
    c.pos += 2;
    return two;
  }
  if (c.text[c.pos] === '=') {
    c.pos++;
    return '=';
  }
  return fail(c, 'an operator (=, !=, =~ or !~)');
}

/**
 * Validates the user's extra selector and returns it in canonical form (matchers joined by ", ", values re-escaped);
 * '' for an empty selector. Surrounding braces are tolerated. Throws SelectorError with the position and an example.
 * Regex values are the user's own regex: they are kept as regex (only string-escaped), not quoted as literals.
 */
export function validateSelector(text: string): string {
  return parseMatchers(text)
    .map((m) => m.text)
    .join(', ');
}

/** The label names a selector matches on, in order, for messages that show the values those labels do have. */
export function selectorLabels(text: string): string[] {
  return [...new Set(parseMatchers(text).map((m) => m.label))];
}

function parseMatchers(text: string): Array<{ label: string; text: string }> {
  let body = text.trim();
  if (body.startsWith('{') && body.endsWith('}')) {
    body = body.slice(1, -1);
  }
  const c: Cursor = { text: body, pos: 0 };
  const out: Array<{ label: string; text: string }> = [];
  for (;;) {
    skipSpace(c);
    if (c.pos >= body.length) {
      break;
    }
    const label = readLabel(c);
    if (label === '__name__') {
      throw new SelectorError('The selector must not match __name__: choose the metric in the metric field instead.');
    }
    let ref: string;
    try {
      ref = labelRef(label);
    } catch (e) {
      throw new SelectorError((e as Error).message);
    }
    skipSpace(c);
    const op = readOp(c);
    skipSpace(c);
    const value = readString(c, 'a quoted value');
    out.push({ label, text: `${ref}${op}"${escapeExact(value)}"` });
    skipSpace(c);
    if (c.pos >= body.length) {
      break;
    }
    if (body[c.pos] !== ',') {
      fail(c, 'a comma between matchers');
    }
    c.pos++;
  }
  return out;
}
