// The README's pictures come from the browser tests: with PREFECT_INSIGHTS_UPDATE_SCREENSHOT set, a test copies its
// screenshot to docs/ under the given name.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './buildHost';

export const UPDATE_SCREENSHOTS_ENV = 'PREFECT_INSIGHTS_UPDATE_SCREENSHOT';

export function publishScreenshot(file: string, docsName: string): void {
  if (!process.env[UPDATE_SCREENSHOTS_ENV]) {
    return;
  }
  mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
  copyFileSync(file, join(REPO_ROOT, 'docs', docsName));
}
