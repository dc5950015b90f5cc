// `npm run package` (after `npm run build`): writes release/<id>-<version>.zip with its .md5 and .sha1 and says how
// to install it. The archive's rules are checked by tests/integration/package.test.ts.
import { join, relative, resolve } from 'node:path';
import { sizeOf, writePluginZip } from './pluginZip';

const ROOT = resolve(__dirname, '..');

try {
  const out = writePluginZip(join(ROOT, 'dist'), join(ROOT, 'release'));
  const zip = relative(ROOT, out.zip);
  process.stdout.write(
    [
      `${zip} (${sizeOf(out.zip)}, ${out.files.length} files under ${out.id}/), with ${relative(ROOT, out.md5)} and ${relative(ROOT, out.sha1)}`,
      '',
      'Install it into a Grafana 12.4 or later, then restart Grafana:',
      `  grafana cli --pluginUrl <URL or path of ${zip}> plugins install ${out.id}`,
      `  or unzip it into Grafana's plugins folder (it holds one folder, ${out.id}/)`,
      'Unsigned, so allow it in Grafana (or sign dist/ first: npm run build, npm run sign, npm run package:zip):',
      '  GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=prefectinsights-api-app,prefectinsights-api-datasource',
      '',
    ].join('\n')
  );
} catch (e) {
  process.stderr.write(`package: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
