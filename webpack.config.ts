import CopyWebpackPlugin from 'copy-webpack-plugin';
import { readFileSync } from 'fs';
import path from 'path';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

// The scaffold copies only the app's own logos; the nested data source's logo must be copied too.
// src/plugin.json is a symlink to the root plugin.json, and webpack's filesystem cache snapshots the link, not its
// target: without listing the manifests as build dependencies, an edited plugin.json never reaches dist/. The
// catalogue's screenshots (src/img/screenshots/*.png) are links to the README's pictures in docs/, listed likewise.
const screenshots: Array<{ path: string }> = JSON.parse(
  readFileSync(path.resolve(process.cwd(), 'plugin.json'), 'utf8')
).info.screenshots;

const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  // Lazy chunks are emitted at the plugin root, but Grafana may serve the nested data source from its own folder
  // (`public/plugins/<datasource-id>/`), where the root is out of reach. The nested module therefore carries its
  // editors inside itself; only the app's own pages stay lazily loaded.
  const entries = baseConfig.entry as Record<string, string>;
  baseConfig.entry = Object.fromEntries(
    Object.entries(entries).map(([name, file]) => [
      name,
      name === 'module' ? file : { import: file, asyncChunks: false },
    ])
  );
  return merge(baseConfig, {
    cache: {
      type: 'filesystem',
      buildDependencies: {
        manifests: [
          path.resolve(process.cwd(), 'plugin.json'),
          path.resolve(process.cwd(), 'src', 'datasource', 'plugin.json'),
          ...screenshots.map((s) => path.resolve(process.cwd(), 'src', s.path)),
        ],
      },
    },
    // Screenshots are for the catalogue page and source maps for debugging, never loaded with the plugin: no
    // bundle-size hint about them (webpack's default filter leaves out only the maps).
    performance: { assetFilter: (asset: string) => !asset.endsWith('.map') && !asset.startsWith('img/screenshots/') },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [{ from: 'datasource/img', to: 'datasource/img' }],
      }),
    ],
  });
};

export default config;
