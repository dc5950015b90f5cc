// Minified sizes of the two plugin modules Grafana loads first (lazy chunks load only when a page or editor opens).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { verdict } from './stats';

const TARGETS: Array<[string, number]> = [
  ['dist/module.js', 30],
  ['dist/datasource/module.js', 150],
];

export function reportSizes(): boolean {
  console.log('\n## Bundle sizes (minified, as built by `npm run build`)');
  let ok = true;
  for (const [file, targetKb] of TARGETS) {
    if (!existsSync(file)) {
      console.log(`${file}: missing, run \`npm run build\` first`);
      ok = false;
      continue;
    }
    const kb = statSync(file).size / 1024;
    const gz = gzipSync(readFileSync(file)).length / 1024;
    const met = kb <= targetKb;
    ok &&= met;
    console.log(`${file}: ${kb.toFixed(1)} KB (gzip ${gz.toFixed(1)} KB), target ≤ ${targetKb} KB: ${verdict(met)}`);
  }
  return ok;
}
