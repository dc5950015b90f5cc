// Template variables in filters. Interpolation yields RAW values; escaping happens once, where a value becomes a
// PromQL matcher (src/prometheus/escape.ts), so a variable value can never carry PromQL of its own.
import type { ScopedVars } from '@grafana/data';
import { getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { labelMatcher, labelRef, regexAlternation } from '../prometheus/escape';

type Replacer = Pick<TemplateSrv, 'replace'>;

/** A filter either keeps any value (`all`) or exactly the listed raw values. */
export type FilterValues = { all: true } | { all: false; values: string[] };

const TOKEN = /\u0000(\d+)\u0000/;
// A filter with variables whose product explodes is almost certainly a mistake; refuse rather than build huge PromQL.
const MAX_VALUES = 2000;

/**
 * A variable reference in Grafana's three syntaxes: `$name`, `[[name]]` / `[[name:format]]` and
 * `${name}` / `${name.fieldPath}` / `${name:format}` (the grammar of Grafana's variableRegex,
 * public/app/features/variables/utils.ts, and of Scenes' VARIABLE_REGEX).
 */
const REFERENCE = /\$(\w+)|\[\[(\w+?)(?::\w+)?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::[^}]+)?\}/g;

/**
 * Expands filter entries (literals or `$var`, `${var}`, `[[var]]`, possibly multi-value) to the raw values they
 * select. The format function hands each variable's value(s) out of band as a numbered token, so values are never
 * parsed back out of text.
 *
 * "All" with a custom all value (the bundled dashboards' `allValue: ".*"`) means "no filter". Grafana never passes a
 * custom all value to a data source's format function: Scenes returns it as a `CustomAllValue` that skips formatting
 * (packages/scenes/src/variables/variants/MultiValueVariable.ts), and the legacy TemplateSrv "skips formatting of custom
 * all values" (public/app/features/templating/template_srv.ts). So the data source sees only the all value's text,
 * e.g. `.*`, which as a literal route would select nothing. Each reference is therefore interpolated on its own:
 * one that Grafana replaced without calling the format function is a custom all value, whatever its text. (Reading
 * `.*` as a regex instead would break for other all values, `*` or `%`, and for a route that really is `.*`.)
 * A format written into an entry (`${route:regex}`) is dropped: a filter takes raw values, and a formatted text would
 * have to be parsed back.
 */
export function interpolateFilter(
  entries: string[] | undefined,
  scopedVars: ScopedVars = {},
  templateSrv: Replacer = getTemplateSrv()
): FilterValues {
  const out = new Set<string>();
  for (const raw of entries ?? []) {
    if (raw === '') {
      continue;
    }
    const captured: string[][] = [];
    let selectsAll = false;
    const format = (value: unknown) => {
      const values = Array.isArray(value) ? value.map(String) : [value == null ? '' : String(value)];
      captured.push(values);
      return `\u0000${captured.length - 1}\u0000`;
    };
    const text = raw
      .replace(/\u0000/g, '')
      .replace(REFERENCE, (match, dollar?: string, brackets?: string, braces?: string, fieldPath?: string) => {
        const name = dollar ?? brackets ?? braces;
        const bare = fieldPath ? `\${${name}.${fieldPath}}` : `\${${name}}`;
        const replaced = templateSrv.replace(bare, scopedVars, format);
        if (replaced === bare) {
          // Not a variable Grafana knows: it stays literal text, as Grafana leaves it.
          return match;
        }
        if (!TOKEN.test(replaced)) {
          selectsAll = true;
        }
        return replaced;
      });
    if (selectsAll) {
      return { all: true };
    }
    for (const v of expand(text, captured)) {
      out.add(v);
      if (out.size > MAX_VALUES) {
        throw new RangeError(`A filter expands to more than ${MAX_VALUES} values; narrow the variable selection`);
      }
    }
  }
  return out.size === 0 ? { all: true } : { all: false, values: [...out] };
}

function expand(text: string, captured: string[][]): string[] {
  const parts = text.split(TOKEN);
  // split with one capture group alternates literal, token index, literal, …
  let acc = [''];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      acc = acc.map((a) => a + parts[i]);
    } else {
      const values = captured[Number(parts[i])] ?? [];
      const next: string[] = [];
      for (const a of acc) {
        for (const v of values) {
          next.push(a + v);
        }
      }
      acc = next;
      if (acc.length > MAX_VALUES) {
        throw new RangeError(`A filter expands to more than ${MAX_VALUES} values; narrow the variable selection`);
      }
    }
  }
  return acc;
}

/** The matcher for a filter: one value is an exact match, several an escaped regex alternation, `all` none at all. */
export function filterMatcher(label: string, filter: FilterValues): string {
  if (filter.all) {
    return '';
  }
  if (filter.values.length === 1) {
    return labelMatcher(label, '=', filter.values[0]);
  }
  return `${labelRef(label)}=~"${regexAlternation(filter.values)}"`;
}

/** Interpolates a free-text field (e.g. an override selector) without giving variables any escaping power. */
export function interpolateText(
  text: string,
  scopedVars: ScopedVars = {},
  templateSrv: Replacer = getTemplateSrv()
): string {
  return templateSrv.replace(text, scopedVars);
}
