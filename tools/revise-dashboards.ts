// Bumps the revision of every bundled dashboard whose content changed since its last recorded revision, and records
// the new content hash in tools/dashboard-revisions.json. Run after editing a dashboard: `npm run dashboards:revise`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardContentHash, type RevisionEntry } from '../src/dashboards/contentHash';

const DIR = join(__dirname, '..', 'src', 'dashboards');
const LOG = join(__dirname, 'dashboard-revisions.json');
const log = JSON.parse(readFileSync(LOG, 'utf8')) as Record<string, RevisionEntry[]>;

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
  const path = join(DIR, file);
  const text = readFileSync(path, 'utf8');
  const sha256 = dashboardContentHash(text);
  const history = (log[file] ??= []);
  const last = history[history.length - 1];
  if (last?.sha256 === sha256) {
    continue;
  }
  const revision = (last?.revision ?? 0) + 1;
  const json = JSON.parse(text) as { revision?: number };
  json.revision = revision;
  // Key order and 2-space indentation as prettier leaves them; `npm run lint:fix` reformats arrays.
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  history.push({ revision, sha256 });
  console.log(`${file}: revision ${revision}`);
}
writeFileSync(LOG, `${JSON.stringify(log, null, 2)}\n`);
