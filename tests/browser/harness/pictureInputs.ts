// What the README's pictures are drawn from, as one content hash, recorded beside the pictures in
// docs/screenshots.json when they are regenerated and recomputed by tests/browser/pictures.browser.ts, so that a picture
// older than the code that draws it fails the browser suite.
//
// Hashed (file contents only, never timestamps, sizes on disk or absolute paths, so the hash is the same on every
// checkout):
// - the plugin's sources as the build compiles them: src/ (code, dashboard JSON, plugin.json, images) without its
//   tests and notes, and the webpack configuration. Not dist/: its minified JavaScript is not reproducible (two builds
//   of the same sources named a variable `u` in one and `d` in the other), so a hash of it would go stale by itself;
// - the host that stands in for Grafana's frontend and the harness that feeds it: tests/browser/host/,
//   tests/browser/harness/ (page set-up, the simulated Prometheus), tools/simulator/ (the traffic drawn), and the test
//   files that choose each picture's time range and selection;
// - the versions of the drawing packages (@grafana/*, uPlot) in package-lock.json: a lock change that leaves them alone
//   (a linter, say) does not make the pictures stale.
// Not hashed: the pictures themselves (docs/ and their copies under src/ or dist/), unit tests, Markdown, and the data
// Prometheus returns (it is derived from the files above).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './buildHost';

/** The command that regenerates the pictures and docs/screenshots.json (package.json's "screenshots"). */
export const REGENERATE_COMMAND = 'npm run screenshots';

export const PICTURES_MANIFEST = 'docs/screenshots.json';

/** The browser test files that take the README's pictures. */
const PICTURE_TESTS = [
  'tests/browser/dashboards.browser.ts',
  'tests/browser/hero.browser.ts',
  'tests/browser/overview.browser.ts',
];

const DRAWING_PACKAGES = /^node_modules\/(@grafana\/[^/]+|uplot)$/;

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const abs = join(REPO_ROOT, dir);
  if (!existsSync(abs)) {
    return [];
  }
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)).split('\\').join('/'))
    .filter(keep);
}

function drawingPackageVersions(): string {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  return JSON.stringify(
    Object.entries(lock.packages)
      .filter(([path]) => DRAWING_PACKAGES.test(path))
      .map(([path, p]) => [path, p.version])
      .sort()
  );
}

/** Each input's name and the sha256 of its content, sorted by name. */
export function pictureInputs(): Array<[string, string]> {
  const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
  const files = [
    ...filesUnder('src', (p) => !/\.test\.tsx?$|\.md$|\/screenshots\//.test(p) && !p.startsWith('src/test/')),
    ...filesUnder('.config/webpack', () => true),
    'webpack.config.ts',
    ...filesUnder('tests/browser/host', () => true),
    ...filesUnder('tests/browser/harness', () => true),
    ...filesUnder('tools/simulator', (p) => !p.endsWith('.md')),
    ...PICTURE_TESTS,
  ];
  const entries: Array<[string, string]> = files.map((file) => [file, sha(readFileSync(join(REPO_ROOT, file)))]);
  entries.push(['package-lock.json (drawing packages)', sha(drawingPackageVersions())]);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function pictureInputsHash(inputs = pictureInputs()): string {
  return createHash('sha256')
    .update(inputs.map(([name, hash]) => `${hash}  ${name}\n`).join(''))
    .digest('hex');
}

export interface PictureRecord {
  /** pictureInputsHash() when the picture was taken. */
  inputs: string;
  /** sha256 of the PNG, so that a picture replaced by hand is noticed too. */
  sha256: string;
}

export interface PicturesManifest {
  about: string;
  pictures: Record<string, PictureRecord>;
}

export function readManifest(): PicturesManifest {
  const path = join(REPO_ROOT, PICTURES_MANIFEST);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as PicturesManifest) : { about: '', pictures: {} };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Records a freshly written docs/ picture with the inputs it was drawn from. */
export function recordPicture(docsName: string): void {
  const manifest = readManifest();
  manifest.about =
    `Written by \`${REGENERATE_COMMAND}\`: per picture in docs/, the hash of what draws it ` +
    '(tests/browser/harness/pictureInputs.ts) and of the PNG; tests/browser/pictures.browser.ts fails when they differ.';
  manifest.pictures[docsName] = {
    inputs: pictureInputsHash(),
    sha256: sha256File(join(REPO_ROOT, 'docs', docsName)),
  };
  const sorted = Object.fromEntries(Object.entries(manifest.pictures).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(
    join(REPO_ROOT, PICTURES_MANIFEST),
    `${JSON.stringify({ about: manifest.about, pictures: sorted }, null, 2)}\n`
  );
}
