#!/usr/bin/env node
// The `prefect-insights` bin. A committed file rather than the bundle itself, so that npm links it whether or not
// the bundle was built yet: `npx prefect-insights` run before `npm run build:cli` would otherwise cache a link-less
// install of this folder and answer "not found" even after the build.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist-cli', 'prefect-insights.js');
if (existsSync(bundle)) {
  require(bundle);
} else {
  process.stderr.write(
    'prefect-insights: error: the command line is not built yet: run `npm run build:cli` (npm ci does it too), or use `npm run cli -- <command>`\n'
  );
  process.exitCode = 2;
}
