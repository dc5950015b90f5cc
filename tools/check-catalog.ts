// Compares the project's catalog copy with the shared seed, item by item, and names every difference.
// Usage: npx tsx tools/check-catalog.ts [--if-seed] [path/to/seed/catalog.json]
// (default: $SHARED_DIR/seed/catalog.json, SHARED_DIR defaulting to the folder beside the checkout).
// Exit 0 when they agree, 1 when they differ, 2 when the seed cannot be read. With --if-seed (`npm run
// check:catalog`, part of `npm run test:all`) a checkout without the seed says NOT RUN and exits 0: the seed lives
// beside the project's repository, not in it.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CLI_COMMANDS,
  CONFIGURATION_PARAMETERS,
  ERROR_SIGNATURES,
  METRIC,
  RELATED_INSIGHTS,
  TECHNICAL_REFERENCES,
} from '../src/catalog/seedData';

type Item = Record<string, unknown>;

const sections: Array<[string, readonly unknown[], string]> = [
  ['configuration_parameters', CONFIGURATION_PARAMETERS, 'name'],
  ['error_signatures', ERROR_SIGNATURES, 'text'],
  ['cli_commands', CLI_COMMANDS, 'command'],
  ['technical_references', TECHNICAL_REFERENCES, 'name'],
  ['related_insights', RELATED_INSIGHTS, 'id'],
];

// Key order must not matter, absent and undefined are the same.
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .filter((k) => v[k] !== undefined)
            .map((k) => [k, v[k]])
        )
      : v
  );
}

export function compareCatalog(seed: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (canonical(seed.metric) !== canonical(METRIC)) {
    problems.push(`metric: seed ${canonical(seed.metric)} != project ${canonical(METRIC)}`);
  }
  for (const [section, ours, key] of sections) {
    const theirs = (seed[section] ?? []) as Item[];
    const oursByKey = new Map((ours as Item[]).map((i) => [String(i[key]), i]));
    const theirsByKey = new Map(theirs.map((i) => [String(i[key]), i]));
    for (const [k, item] of theirsByKey) {
      const mine = oursByKey.get(k);
      if (!mine) {
        problems.push(`${section}: "${k}" is in the seed but not in the project`);
      } else if (canonical(mine) !== canonical(item)) {
        problems.push(`${section}: "${k}" differs: seed ${canonical(item)} != project ${canonical(mine)}`);
      }
    }
    for (const k of oursByKey.keys()) {
      if (!theirsByKey.has(k)) {
        problems.push(`${section}: "${k}" is in the project but not in the seed`);
      }
    }
    const order = (items: Item[]) => items.map((i) => String(i[key])).join('\n');
    if (problems.length === 0 && order(theirs) !== order(ours as Item[])) {
      problems.push(`${section}: same items in a different order`);
    }
  }
  return problems;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const ifSeed = args.includes('--if-seed');
  const sharedDir = process.env.SHARED_DIR || resolve(__dirname, '../../shared');
  const seedPath = resolve(args.find((a) => a !== '--if-seed') ?? resolve(sharedDir, 'seed/catalog.json'));
  if (!existsSync(seedPath) && ifSeed) {
    console.log(`check-catalog: NOT RUN, no seed at ${seedPath} (set SHARED_DIR to check it)`);
    process.exit(0);
  }
  if (!existsSync(seedPath)) {
    console.error(`check-catalog: seed not found at ${seedPath}`);
    process.exit(2);
  }
  const problems = compareCatalog(JSON.parse(readFileSync(seedPath, 'utf8')));
  if (problems.length > 0) {
    console.error(`check-catalog: the project's catalog differs from ${seedPath}:`);
    problems.forEach((p) => console.error(`  - ${p}`));
    process.exit(1);
  }
  console.log(
    `check-catalog: the project's catalog agrees with ${seedPath} (metric, ${sections.map(([s, items]) => `${items.length} ${s}`).join(', ')})`
  );
}
