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

interface VariableLike {
  allValue?: string | null;
}

/**
 * Expands filter entries (literals or `$var`, `${var}`, `[[var]]`, possibly multi-value) to the raw values they
 * select. The format function hands each variable's value(s) out of band as a numbered token, so values are never
 * parsed back out of text. A variable set to "All" with a custom all value (usually `.*`) means "no filter".
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
    const text = templateSrv.replace(
      raw.replace(/\u0000/g, ''),
      scopedVars,
      (value: unknown, variable?: VariableLike) => {
        if (
          variable &&
          typeof variable.allValue === 'string' &&
          variable.allValue !== '' &&
          value === variable.allValue
        ) {
          selectsAll = true;
        }
        const values = Array.isArray(value) ? value.map(String) : [value == null ? '' : String(value)];
        captured.push(values);
        return `\u0000${captured.length - 1}\u0000`;
      }
    );
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
