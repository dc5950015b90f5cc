// tools/setup.sh (what `npm run demo` and `npm run test:all` run first) on a machine that lacks something: it must
// stop with one line naming the missing tool and the command that installs it, before installing anything. The
// script runs with a PATH holding only the few programs it needs on the way to that line, so whatever this machine
// has installed elsewhere stays out of sight.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findExecutable } from '../harness/localServer';

const ROOT = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'prefect-insights-setup-'));
const bash = findExecutable('bash')!;

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A PATH folder with exactly these programs: real ones linked by name, or scripts given as text. */
function binDir(name: string, programs: Record<string, string | true>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [program, script] of Object.entries(programs)) {
    if (script === true) {
      const real = program === 'node' ? process.execPath : findExecutable(program);
      if (!real) {
        throw new Error(`${program} is not installed here`);
      }
      symlinkSync(real, join(dir, program));
    } else {
      writeFileSync(join(dir, program), script);
      chmodSync(join(dir, program), 0o755);
    }
  }
  return dir;
}

function setup(args: string[], env: Record<string, string>) {
  const r = spawnSync(bash, [join(ROOT, 'tools/setup.sh'), ...args], {
    cwd: ROOT,
    env: { HOME: work, PREFECT_INSIGHTS_CACHE: join(work, 'empty-cache'), PREFECT_INSIGHTS_APT: 'no', ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BASICS = { date: true, id: true, dirname: true } as const;

it('the demo with Prometheus 3 asked for, not built, and no Go: one line naming Go and where to get it', () => {
  const PATH = binDir('no-go', { ...BASICS, node: true });
  expect(setup(['--demo'], { PATH, PREFECT_INSIGHTS_PROMETHEUS: '3' })).toEqual({
    status: 1,
    stdout: '',
    stderr:
      'setup: missing go (Go >= 1.26, to build Prometheus 3 and the tsdb-writer): install it from https://go.dev/doc/install\n',
  });
});

it('a Node older than 20: one line naming the version found and how to install Node', () => {
  const PATH = binDir('old-node', {
    ...BASICS,
    node: '#!/bin/sh\ncase "$1" in --version) echo v18.20.4;; *) echo 18;; esac\n',
  });
  expect(setup(['--all'], { PATH })).toEqual({
    status: 1,
    stdout: '',
    stderr:
      'setup: missing Node.js 20 or later (found: v18.20.4): install it from https://nodejs.org/ or with nvm (`nvm install` reads .nvmrc)\n',
  });
});

it('an unknown part: the usage line and exit 2', () => {
  const PATH = binDir('usage', { ...BASICS });
  expect(setup(['--everything'], { PATH })).toEqual({
    status: 2,
    stdout: '',
    stderr: 'usage: tools/setup.sh [--demo|--all]\n',
  });
});
