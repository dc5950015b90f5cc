// What `scan` and `rules` share when reading their options: node:util's parseArgs (no dependency) with its errors
// turned into one line in our words, relative times that start with a dash, and enum values in any case.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Options taking a value, without the leading `--`. */
  strings: readonly string[];
  /** Flags, without the leading `--`. */
  booleans: readonly string[];
}

/**
 * parseArgs refuses `--from -24h` as ambiguous; relative times start with a dash by nature, so a value that follows
 * one of the string options is glued to it (`--from=-24h`) before parsing.
 */
function glueDashValues(argv: string[], strings: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2) : '';
    const next = argv[i + 1];
    if (strings.includes(name) && next !== undefined && /^-[^-]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** `--promethues` → ` (did you mean --prometheus?)`, or '' when nothing is close. */
function suggestion(given: string, spec: OptionSpec): string {
  const name = given.replace(/^-+/, '').split('=')[0];
  const close = [...spec.strings, ...spec.booleans, 'help']
    .map((o) => ({ o, d: editDistance(name, o) }))
    .filter(({ d }) => d <= 2)
    .sort((x, y) => x.d - y.d);
  return close.length > 0 ? ` (did you mean --${close[0].o}?)` : '';
}

/**
 * Node's own messages name the parser's internals (`'--from <value>' argument missing`, advice about `--` for
 * positionals); these say what to change. Positionals are returned for the caller to judge.
 */
export function parseOptions(
  argv: string[],
  spec: OptionSpec
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const args = glueDashValues(argv, spec.strings);
  try {
    const parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        ...Object.fromEntries(spec.strings.map((n) => [n, { type: 'string' as const }])),
        ...Object.fromEntries(spec.booleans.map((n) => [n, { type: 'boolean' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
    });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = e instanceof Error ? e.message : String(e);
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = quoted.split('=')[0];
      return fail(`unknown option ${option}${suggestion(option, spec)}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
      return fail(/does not take/.test(message) ? `${option} takes no value` : `${option} needs a value`);
    }
    return fail(message.split('\n')[0]);
  }
}

function fail(message: string): never {
  throw new UsageError(message);
}

/** A value out of a fixed set, in any case (`--format JSON`); refused with the set named. */
export function enumValue<T extends string>(
  text: string | undefined,
  allowed: readonly T[],
  flag: string
): T | undefined {
  if (text === undefined) {
    return undefined;
  }
  const v = text.trim().toLowerCase();
  const found = allowed.find((a) => a.toLowerCase() === v);
  if (found === undefined) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${text}"`);
  }
  return found;
}
