// The release archive Grafana's plugin installer and the plugin catalogue take: one top-level folder named after the
// plugin id holding the built dist/ (the app, its nested data source, source maps, README, CHANGELOG, LICENSE, logos
// and screenshots), with an .md5 and a .sha1 beside the zip. Entries are sorted and carry the manifest's `updated`
// date, so the same dist/ always gives the same bytes.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

export interface PluginZip {
  id: string;
  version: string;
  zip: string;
  md5: string;
  sha1: string;
  files: string[];
}

interface DistManifest {
  id?: string;
  info?: { version?: string; updated?: string };
}

/** Placeholders the build replaces (%VERSION%, %TODAY%, %PLUGIN_ID%): one left over means dist/ is not a build. */
const PLACEHOLDER = /%(VERSION|TODAY|PLUGIN_ID)%/;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isSymbolicLink()) {
      throw new Error(`${path} is a symlink: Grafana's installer skips symlinks, so the archive must not hold one`);
    }
    return e.isDirectory() ? walk(path) : [path];
  });
}

// Unix regular file, rw-r--r--, in the high 16 bits of the external attributes (read back by Go's archive/zip).
const FILE_ATTRS = 0o100644 * 0x10000;
const UNIX = 3;

export function writePluginZip(distDir: string, outDir: string): PluginZip {
  const manifestText = readFileSync(join(distDir, 'plugin.json'), 'utf8');
  const manifest = JSON.parse(manifestText) as DistManifest;
  const id = manifest.id;
  const version = manifest.info?.version;
  if (!id || !version || PLACEHOLDER.test(manifestText)) {
    throw new Error(`${join(distDir, 'plugin.json')} is not a built manifest (id, info.version): run npm run build`);
  }
  const mtime = new Date(`${manifest.info?.updated ?? '2026-01-01'}T00:00:00Z`);
  const files = walk(distDir)
    .map((f) => relative(distDir, f).split(sep).join('/'))
    .sort();
  const entries: Zippable = {};
  for (const file of files) {
    const data = readFileSync(join(distDir, file));
    entries[`${id}/${file}`] = [new Uint8Array(data), { mtime, os: UNIX, attrs: FILE_ATTRS }];
  }
  const bytes = zipSync(entries, { level: 9 });

  mkdirSync(outDir, { recursive: true });
  const zip = join(outDir, `${id}-${version}.zip`);
  writeFileSync(zip, bytes);
  // The `md5sum`/`sha1sum` line format, so `md5sum -c` checks a download.
  const sums: Record<'md5' | 'sha1', string> = { md5: `${zip}.md5`, sha1: `${zip}.sha1` };
  for (const [algo, path] of Object.entries(sums)) {
    writeFileSync(path, `${createHash(algo).update(bytes).digest('hex')}  ${basename(zip)}\n`);
  }
  return { id, version, zip, md5: sums.md5, sha1: sums.sha1, files };
}

export function sizeOf(path: string): string {
  return `${(statSync(path).size / 1024).toFixed(0)} KiB`;
}
