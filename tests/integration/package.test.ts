// The release zip (`npm run package`, tools/pluginZip.ts) as Grafana's installer unpacks it and as Grafana's plugin
// validator (grafana/plugin-validator, pkg/analysis/passes/*) judges it, for every rule that can be checked offline.
// Needs a built dist/ (`npm run build`; `npm run test:all` builds before this suite).
//
// Installed as `grafana cli --pluginUrl <zip> plugins install <id>` does (grafana/grafana pkg/plugins/storage/fs.go,
// extractFiles and readPluginJSON, main as of 2026-12-04): members with an absolute name or one climbing out of the
// plugins folder are refused, the first path segment of every member is replaced by the plugin id, symlinks are
// only followed inside the plugin, and plugin.json (or dist/plugin.json) is read from <plugins>/<id>/.
//
// Validator rules checked here (analyzer: rule):
//   archive: not empty, one top-level entry, a directory, no dist/ inside it   archivename: folder = plugin id
//   metadata, nestedmetadata: every plugin.json exists and parses    metadatavalid: Grafana's schema (production build)
//   includesnested: nested plugin declared in includes with its type          typesuffix: id ends with the type
//   pluginname: name is not the id            modulejs: module.js beside every plugin.json
//   jssourcemap: module.js.map beside every module.js, and the maps' sources equal the code under src/
//   logos: small and large set and present     screenshots: at least one, each path set and present (and current)
//   metadatapaths: logo and screenshot paths relative, not starting with "." or "/"
//   readme: README.md present                  templatereadme: not the scaffold's template README
//   changelog: CHANGELOG.md present, not empty  license: an Apache-2.0 LICENSE
//   discoverability: description and keywords  version: valid semver (here also = package.json's version)
//   grafanadependency, restrictivedep: ">=12.4.0", not pinned to one release or one minor line
//   backendbinary: frontend only (no backend, executable or alerting flag) and no native binary in the archive
//   unsafesvg: no script, event handler, javascript: URL or foreignObject in any SVG
//   trackingscripts: no analytics hosts in module.js    legacyplatform: no Angular plugin SDK import
//   checksum: the .md5 and .sha1 beside the zip match it
// Also: no build-machine path in any file (source maps included), every link is https, and the same dist/ gives
// the same zip bytes.
// Not checked (they need grafana.com, a scanner or the network): org (registered account), version above the
// published one, brokenlinks/safelinks reachability, osv-scanner, virus scan, signature, code rules (semgrep),
// LLM review, provenance.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import Ajv from 'ajv';
import { unzipSync } from 'fflate';
import { writePluginZip, type PluginZip } from '../../tools/pluginZip';

const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist');
const APP_ID = 'prefectinsights-api-app';

interface Manifest {
  id: string;
  type: string;
  name: string;
  backend?: boolean;
  executable?: string;
  alerting?: boolean;
  includes?: Array<{ type: string; path?: string }>;
  info: {
    description?: string;
    keywords?: string[];
    version: string;
    updated: string;
    logos: { small: string; large: string };
    screenshots?: Array<{ name: string; path: string }>;
    links?: Array<{ name: string; url: string }>;
  };
  dependencies: { grafanaDependency: string };
}

/** A member as the zip's central directory lists it (what Go's archive/zip reads). */
interface Member {
  name: string;
  madeBy: number;
  unixMode: number;
}

function centralDirectory(zip: Buffer): Member[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) {
    throw new Error('no end-of-central-directory record: not a zip');
  }
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const members: Member[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) {
      throw new Error(`central directory entry ${i} is corrupt`);
    }
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    members.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      madeBy: zip.readUInt16LE(at + 4) >> 8,
      unixMode: zip.readUInt32LE(at + 38) >>> 16,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

/** Unpacks as Grafana's installer does; returns <plugins>/<id>. */
function installAsGrafana(zip: Buffer, pluginsDir: string, pluginId: string): string {
  const contents = unzipSync(new Uint8Array(zip));
  for (const member of centralDirectory(zip)) {
    const full = resolve(pluginsDir, member.name);
    if (isAbsolute(member.name) || !full.startsWith(pluginsDir + sep) || member.name.startsWith('../')) {
      throw new Error(`archive member ${member.name} tries to write outside of the plugin directory`);
    }
    const dst = join(pluginsDir, member.name.replace(/^[a-zA-Z0-9_.-]*\//, `${pluginId}/`));
    if (member.name.endsWith('/')) {
      mkdirSync(dst, { recursive: true });
      continue;
    }
    if ((member.unixMode & S_IFMT) === S_IFLNK) {
      throw new Error(`archive member ${member.name} is a symlink`);
    }
    mkdirSync(dirname(dst), { recursive: true });
    writeFileSync(dst, contents[member.name]);
  }
  return join(pluginsDir, pluginId);
}

function readPluginJson(dir: string): Manifest {
  const file = [join(dir, 'plugin.json'), join(dir, 'dist', 'plugin.json')].find((f) => existsSync(f));
  if (!file) {
    throw new Error(`could not find plugin.json or dist/plugin.json in ${dir}`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

let work: string;
let pkg: PluginZip;
let zip: Buffer;
let members: Member[];
let files: Record<string, Uint8Array>;
let installDir: string;
let manifests: Map<string, Manifest>; // folder inside the plugin ('' for the app) → manifest

const text = (path: string) => Buffer.from(files[`${APP_ID}/${path}`] ?? []).toString('utf8');
const has = (path: string) => `${APP_ID}/${path}` in files;

beforeAll(() => {
  if (!existsSync(join(DIST, 'plugin.json'))) {
    throw new Error('dist/ is not built: run `npm run build` (or `npm run package`) first');
  }
  work = mkdtempSync(join(tmpdir(), 'prefect-insights-package-'));
  pkg = writePluginZip(DIST, join(work, 'release'));
  zip = readFileSync(pkg.zip);
  members = centralDirectory(zip);
  files = unzipSync(new Uint8Array(zip));
  installDir = installAsGrafana(zip, join(work, 'plugins'), APP_ID);
  manifests = new Map(
    Object.keys(files)
      .filter((f) => f.endsWith('/plugin.json') || f === `${APP_ID}/plugin.json`)
      .map((f) => {
        const folder = f.slice(APP_ID.length + 1, -'plugin.json'.length).replace(/\/$/, '');
        return [folder, JSON.parse(text(f.slice(APP_ID.length + 1))) as Manifest];
      })
  );
});

afterAll(() => {
  if (work) {
    rmSync(work, { recursive: true, force: true });
  }
});

describe("Grafana's installer", () => {
  it('unpacks it into <plugins>/prefectinsights-api-app with the app and its nested data source', () => {
    expect(readPluginJson(installDir).id).toBe(APP_ID);
    expect(readPluginJson(join(installDir, 'datasource')).id).toBe('prefectinsights-api-datasource');
    expect(existsSync(join(installDir, 'module.js'))).toBe(true);
  });

  it('finds only regular files, readable by everyone (no symlink, nothing outside the folder)', () => {
    for (const m of members) {
      expect({ name: m.name, madeBy: m.madeBy, type: m.unixMode & S_IFMT, mode: m.unixMode & 0o777 }).toEqual({
        name: m.name,
        madeBy: 3,
        type: S_IFREG,
        mode: 0o644,
      });
    }
  });
});

describe('plugin-validator rules', () => {
  it('archive, archivename: one top-level folder named after the plugin id, no dist/ inside', () => {
    expect(members.length).toBeGreaterThan(0);
    expect([...new Set(members.map((m) => m.name.split('/')[0]))]).toEqual([APP_ID]);
    expect(members.every((m) => m.name.includes('/'))).toBe(true);
    expect(members.filter((m) => m.name.startsWith(`${APP_ID}/dist/`))).toEqual([]);
    expect(manifests.get('')?.id).toBe(APP_ID);
  });

  it("metadata, nestedmetadata, metadatavalid: every plugin.json parses and passes Grafana's schema", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'tests/schemas/plugin.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect([...manifests.keys()].sort()).toEqual(['', 'datasource']);
    for (const [folder, manifest] of manifests) {
      // create-plugin's build stamps `buildMode` into the built manifests (grafana/plugin-tools #1281, for Grafana's
      // dev-mode messages); the schema copied under tests/schemas does not list it. A release is a production build.
      const { buildMode, ...rest } = manifest as Manifest & { buildMode?: string };
      expect({ folder, buildMode }).toEqual({ folder, buildMode: 'production' });
      validate(rest);
      expect({ folder, errors: validate.errors ?? [] }).toEqual({ folder, errors: [] });
    }
  });

  it('includesnested: the nested data source is declared in includes with its type', () => {
    const includes = manifests.get('')?.includes ?? [];
    for (const [folder, manifest] of manifests) {
      if (folder !== '') {
        expect(includes).toContainEqual(
          expect.objectContaining({ path: `${folder}/plugin.json`, type: manifest.type })
        );
      }
    }
  });

  it('typesuffix, pluginname, modulejs: id ends with the type, a human name, a module.js per plugin', () => {
    for (const [folder, m] of manifests) {
      expect(m.id.split('-').pop()).toBe(m.type);
      expect(m.name).not.toBe(m.id);
      expect(has(folder ? `${folder}/module.js` : 'module.js')).toBe(true);
    }
  });

  it('jssourcemap: a source map beside every module.js, whose sources are the code under src/', () => {
    const modules = Object.keys(files).filter((f) => f.endsWith('/module.js'));
    expect(modules.length).toBe(2);
    let compared = 0;
    for (const module of modules) {
      const map = JSON.parse(Buffer.from(files[`${module}.map`] ?? []).toString('utf8')) as {
        sources: string[];
        sourcesContent: string[];
      };
      map.sources.forEach((source, i) => {
        const m = /^webpack:\/\/[^/]+\/\.\/(.+)$/.exec(source);
        const file = m && !m[1].startsWith('node_modules/') ? join(ROOT, 'src', m[1]) : undefined;
        if (file && existsSync(file)) {
          expect({ source, same: map.sourcesContent[i] === readFileSync(file, 'utf8') }).toEqual({
            source,
            same: true,
          });
          compared++;
        }
      });
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('no path of the build machine in any file, source maps included', () => {
    const leaks = [ROOT, homedir() + '/'].filter((p) => p.length > 2);
    for (const [name, data] of Object.entries(files)) {
      const body = Buffer.from(data).toString('latin1');
      expect({ name, leaks: leaks.filter((p) => body.includes(p)) }).toEqual({ name, leaks: [] });
    }
  });

  it('logos, metadatapaths: logos set, present and relative', () => {
    for (const [folder, m] of manifests) {
      for (const logo of [m.info.logos.small, m.info.logos.large]) {
        expect(logo.trim()).not.toBe('');
        expect(logo).not.toMatch(/^[./]|^[a-z]+:/i);
        expect(has(folder ? `${folder}/${logo}` : logo)).toBe(true);
      }
    }
  });

  it("screenshots, metadatapaths: listed, present, relative, PNG, and the README's current pictures", () => {
    const shots = manifests.get('')?.info.screenshots ?? [];
    expect(shots.length).toBeGreaterThan(0);
    for (const s of shots) {
      expect(s.name.trim()).not.toBe('');
      expect(s.path).not.toMatch(/^[./]|^[a-z]+:/i);
      const png = Buffer.from(files[`${APP_ID}/${s.path}`] ?? []);
      expect({ path: s.path, png: png.subarray(0, 4).toString('latin1') }).toEqual({ path: s.path, png: '\x89PNG' });
      const doc = join(ROOT, 'docs', s.path.split('/').pop()!);
      expect({ path: s.path, sameAsDocs: existsSync(doc) && png.equals(readFileSync(doc)) }).toEqual({
        path: s.path,
        sameAsDocs: true,
      });
    }
  });

  it('readme, templatereadme, changelog, license: README, CHANGELOG and an Apache-2.0 LICENSE', () => {
    expect(text('README.md').trim()).not.toBe('');
    expect(text('README.md')).not.toMatch(/^# Grafana (Panel|Data Source|Data Source Backend) Plugin Template/);
    expect(text('README.md')).not.toMatch(/%(VERSION|TODAY|PLUGIN_ID)%/);
    expect(text('CHANGELOG.md').trim()).not.toBe('');
    expect(text('LICENSE')).toMatch(/Apache License\s+Version 2\.0/);
  });

  it("discoverability, version: description, keywords, and package.json's semver version, dated", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const [, m] of manifests) {
      expect(m.info.description?.trim()).toBeTruthy();
      expect(m.info.keywords?.length).toBeGreaterThan(0);
      expect(m.info.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
      expect(m.info.version).toBe(version);
      expect(m.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(pkg.zip.endsWith(`${APP_ID}-${version}.zip`)).toBe(true);
  });

  it('grafanadependency, restrictivedep: Grafana 12.4 or later, not one release or one minor line', () => {
    for (const [, m] of manifests) {
      expect(m.dependencies.grafanaDependency).toBe('>=12.4.0');
      expect(m.dependencies.grafanaDependency).not.toMatch(/^\d+\.\d+\.(x|\d+)$/);
    }
  });

  it('links: each has a name and an https URL', () => {
    const links = manifests.get('')?.info.links ?? [];
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      expect(l.name.trim()).not.toBe('');
      expect(new URL(l.url).protocol).toBe('https:');
    }
  });

  it('backendbinary: frontend only, and no native executable anywhere in the archive', () => {
    for (const [, m] of manifests) {
      expect({ backend: m.backend ?? false, executable: m.executable, alerting: m.alerting ?? false }).toEqual({
        backend: false,
        executable: undefined,
        alerting: false,
      });
    }
    const magic = [Buffer.from('\x7fELF', 'latin1'), Buffer.from('MZ'), Buffer.from([0xcf, 0xfa, 0xed, 0xfe])];
    for (const [name, data] of Object.entries(files)) {
      const head = Buffer.from(data.subarray(0, 4));
      expect({ name, native: magic.some((m) => head.subarray(0, m.length).equals(m)) }).toEqual({
        name,
        native: false,
      });
    }
  });

  it('unsafesvg: no script, event handler, javascript: URL or foreignObject in an SVG', () => {
    const svgs = Object.keys(files).filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThan(0);
    for (const f of svgs) {
      const svg = Buffer.from(files[f]).toString('utf8');
      expect({ f, unsafe: svg.match(/<script|\son[a-z]+\s*=|javascript:|<foreignObject/gi) }).toEqual({
        f,
        unsafe: null,
      });
    }
  });

  it('trackingscripts, legacyplatform: no analytics host and no Angular plugin SDK in the modules', () => {
    for (const f of Object.keys(files).filter((n) => n.endsWith('.js'))) {
      const js = Buffer.from(files[f]).toString('utf8');
      for (const banned of [
        'https://www.google-analytics.com',
        'https://api-js.mixpanel.com',
        'https://mixpanel.com',
      ]) {
        expect({ f, banned, found: js.includes(banned) }).toEqual({ f, banned, found: false });
      }
      expect({ f, sdk: /["']app\/plugins\/sdk["']|angular\.module\(/.test(js) }).toEqual({ f, sdk: false });
    }
  });

  it('checksum: the .md5 and .sha1 beside the zip match it', () => {
    const name = pkg.zip.split(sep).pop();
    expect(readFileSync(pkg.md5, 'utf8')).toBe(`${createHash('md5').update(zip).digest('hex')}  ${name}\n`);
    expect(readFileSync(pkg.sha1, 'utf8')).toBe(`${createHash('sha1').update(zip).digest('hex')}  ${name}\n`);
  });

  it('the same dist/ gives the same zip, byte for byte', () => {
    const again = writePluginZip(DIST, join(work, 'again'));
    expect(readFileSync(again.zip).equals(zip)).toBe(true);
  });
});
