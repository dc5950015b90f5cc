// The Python side of the suite: a virtual env in the ignored `.venv-prefect` folder holding exactly
// tools/prefect/requirements.txt. Created when missing, and re-synced when the requirements change (a stamp file
// keeps the requirements it was installed from), so CI and a developer's checkout run the same packages.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
export const PREFECT_TOOLS = join(ROOT, 'tools/prefect');
export const REQUIREMENTS = join(PREFECT_TOOLS, 'requirements.txt');
export const VENV = process.env.PREFECT_INSIGHTS_VENV ?? join(ROOT, '.venv-prefect');
/** Folder whose sitecustomize.py records a process's Prefect client requests (the ground truth). */
export const RECORDER_DIR = join(PREFECT_TOOLS, 'recorder');

export function venvBin(name: string): string {
  return join(VENV, 'bin', name);
}

/** Creates or re-syncs the venv; returns its python. Minutes the first time (pip), instant afterwards. */
export function ensureVenv(): string {
  const python = venvBin('python');
  const stamp = join(VENV, '.requirements-installed');
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
    return python;
  }
  if (!existsSync(python)) {
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  }
  execFileSync(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', REQUIREMENTS], {
    stdio: 'inherit',
  });
  writeFileSync(stamp, wanted);
  return python;
}
