// Prometheus 3 (built from its Go module by tools/prometheus3 on the prom3 branch, cached outside git) with its
// OTLP receiver on, for the setups where the Prefect server pushes OTLP/HTTP. Flags and config as verified for 3.16.0:
// `--web.enable-otlp-receiver`, `otlp.translation_strategy`; exponential histograms become native histograms with
// no flag. Kept here, small, until the shared harness (tests/harness/prometheus.ts, `engine: 'prometheus3'`) lands.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServer, type LocalServer } from '../../harness/localServer';

export const PROMETHEUS3_VERSION = '3.16.0';

export function prometheus3Bin(): string {
  const bin =
    process.env.PROMETHEUS3_BIN ??
    join(
      process.env.PREFECT_INSIGHTS_CACHE ?? join(homedir(), '.cache/prefect-insights'),
      `prometheus-${PROMETHEUS3_VERSION}`,
      'prometheus'
    );
  if (!existsSync(bin)) {
    throw new Error(
      `Prometheus ${PROMETHEUS3_VERSION} not found at ${bin}: build it with \`bash tools/prometheus3/build.sh\` (CI's .ci/run does) or set PROMETHEUS3_BIN`
    );
  }
  return bin;
}

export type TranslationStrategy =
  | 'UnderscoreEscapingWithSuffixes'
  | 'NoUTF8EscapingWithSuffixes'
  | 'UnderscoreEscapingWithoutSuffixes'
  | 'NoTranslation';

export interface RunningOtlpPrometheus extends LocalServer {
  /** Where the Python SDK sends OTLP/HTTP metrics. */
  otlpEndpoint: string;
}

export async function startOtlpPrometheus(translation: TranslationStrategy): Promise<RunningOtlpPrometheus> {
  const bin = prometheus3Bin();
  const dir = mkdtempSync(join(tmpdir(), 'prefect-insights-prom3-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 5s',
      'otlp:',
      `  translation_strategy: ${translation}`,
      'scrape_configs: []',
      '',
    ].join('\n')
  );
  const server = await startLocalServer({
    name: `prometheus ${PROMETHEUS3_VERSION}`,
    bin,
    args: (port) => [
      `--config.file=${config}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.enable-otlp-receiver',
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
    readyTimeoutMs: 60_000,
    dir,
  });
  return { ...server, otlpEndpoint: `${server.url}/api/v1/otlp/v1/metrics` };
}
