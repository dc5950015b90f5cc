// Simulator data straight into a Prometheus TSDB block, for sizes promtool's OpenMetrics backfill cannot reach (the
// growth benchmark): the binary stream (tools/simulator/tsdbStream.ts) is piped into tools/tsdb-writer while the
// simulator generates it, so generation and appending run on both cores at once.
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { tsdbStreamChunks, type RenderInput } from '../../tools/simulator';

export interface BlockWritten {
  samples: number;
  series: number;
  seconds: number;
}

let writerBin: string | undefined;

/** Builds (or finds in the cache) tools/tsdb-writer; its path. */
export function tsdbWriterBinary(): string {
  // From the repository root (npm scripts run there): the bundled bench lives in .tmp/, so __dirname would mislead.
  writerBin ??= execFileSync('bash', [resolve('tools/tsdb-writer/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return writerBin;
}

export async function writeTsdbBlock(input: RenderInput, dataDir: string): Promise<BlockWritten> {
  const t0 = Date.now();
  const child = spawn(tsdbWriterBinary(), ['--out', dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  // Only raced while the stream is being written; after that the exit code is read from `exited` itself.
  const closedEarly = exited.then((code) =>
    Promise.reject(new Error(`tsdb-writer exited ${code} while the stream was still being written: ${stderr}`))
  );
  closedEarly.catch(() => undefined);
  const stats = { samples: 0 };
  try {
    for (const chunk of tsdbStreamChunks(input, stats)) {
      if (!child.stdin.write(chunk)) {
        await Promise.race([new Promise<void>((resolve) => child.stdin.once('drain', resolve)), closedEarly]);
      }
    }
  } finally {
    child.stdin.end();
  }
  const code = await exited;
  if (code !== 0) {
    throw new Error(`tsdb-writer exited ${code}: ${stderr}`);
  }
  const written = JSON.parse(stdout) as { samples: number; series: number };
  if (written.samples !== stats.samples) {
    throw new Error(`tsdb-writer stored ${written.samples} samples of the ${stats.samples} streamed`);
  }
  return { samples: written.samples, series: written.series, seconds: (Date.now() - t0) / 1000 };
}
