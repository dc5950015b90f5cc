// The README's pictures must be drawn by the code as it is: each picture in docs/ is recorded in docs/screenshots.json
// with the hash of what draws it (harness/pictureInputs.ts: the built dist/, the host, the harness, the simulated data,
// the picture tests) and of the PNG itself. A change to any of those without regenerating the pictures fails here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO_ROOT } from './harness/buildHost';
import {
  PICTURES_MANIFEST,
  REGENERATE_COMMAND,
  pictureInputsHash,
  readManifest,
  sha256File,
} from './harness/pictureInputs';

/** The pictures the README shows and src/plugin.json lists (info.screenshots). */
const PICTURES = [
  'screenshot.png',
  'dashboard-prefect-api-overview.png',
  'dashboard-prefect-insights-timeline.png',
  'overview-page.png',
];

test('every README picture was taken from the code that draws it now', () => {
  const current = pictureInputsHash();
  const recorded = readManifest().pictures;
  const stale = PICTURES.flatMap((name) => {
    const file = join(REPO_ROOT, 'docs', name);
    const record = recorded[name];
    if (!existsSync(file)) {
      return [`docs/${name} is missing`];
    }
    if (!record) {
      return [`docs/${name} is not recorded in ${PICTURES_MANIFEST}`];
    }
    if (record.sha256 !== sha256File(file)) {
      return [`docs/${name} is not the picture ${PICTURES_MANIFEST} records (replaced by hand?)`];
    }
    if (record.inputs !== current) {
      return [`docs/${name} was drawn by older code than src/, tests/browser/ and tools/simulator/ hold now`];
    }
    return [];
  });
  expect(
    stale,
    `The README's pictures are out of date; regenerate them with \`${REGENERATE_COMMAND}\`, look at them, and commit ` +
      `docs/*.png with ${PICTURES_MANIFEST}`
  ).toEqual([]);
});
