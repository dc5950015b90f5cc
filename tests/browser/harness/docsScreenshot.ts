// The README's pictures come from the browser tests: with PREFECT_INSIGHTS_UPDATE_SCREENSHOT set, a test copies its
// screenshot to docs/ under the given name and records in docs/screenshots.json what it was drawn from
// (harness/pictureInputs.ts), which tests/browser/pictures.browser.ts checks.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './buildHost';
import { recordPicture } from './pictureInputs';

export const UPDATE_SCREENSHOTS_ENV = 'PREFECT_INSIGHTS_UPDATE_SCREENSHOT';

/** The viewport the picture-taking tests use: wide enough that every panel, column and label of a dashboard shows. */
export const PICTURE_VIEWPORT = { width: 1500, height: 900 };

export function publishScreenshot(file: string, docsName: string): void {
  if (!process.env[UPDATE_SCREENSHOTS_ENV]) {
    return;
  }
  mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
  copyFileSync(file, join(REPO_ROOT, 'docs', docsName));
  recordPicture(docsName);
}
