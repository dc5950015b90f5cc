// Recording rules backfilled by Prometheus's own promtool (`tsdb create-blocks-from rules`): the rules are evaluated
// for real against a running Prometheus holding the raw data (one range query per rule and block), and the blocks
// it writes are given to another Prometheus beside the raw blocks (Prometheus ≥ 2.39 loads overlapping blocks
// without a flag).
import { execFile } from 'node:child_process';
import { linkSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findPrometheusBinaries } from './prometheus';

const BLOCK_NAME = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export interface RuleBackfill {
  /** Directory holding the recorded blocks. */
  outDir: string;
  seconds: number;
}

/** Evaluates every recording rule of `ruleFile` over [startSec, endSec] against `url`, into `outDir`. */
export function backfillRules(
  url: string,
  ruleFile: string,
  startSec: number,
  endSec: number,
  outDir: string
): Promise<RuleBackfill> {
  const { promtool } = findPrometheusBinaries('prometheus2');
  mkdirSync(outDir, { recursive: true });
  const t0 = Date.now();
  const args = [
    'tsdb',
    'create-blocks-from',
    'rules',
    '-q',
    `--url=${url}`,
    `--start=${Math.floor(startSec)}`,
    `--end=${Math.ceil(endSec)}`,
    `--output-dir=${outDir}`,
    // Hidden flag, as for the OpenMetrics backfill: without it promtool writes one block per rule per 2 hours
    // (cmd/promtool/rules.go), hundreds for a month, and every query then opens all of them.
    '--max-block-duration=720h',
    ruleFile,
  ];
  return new Promise((resolve, reject) => {
    execFile(promtool, args, { maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err) {
        reject(new Error(`promtool ${args.join(' ')} failed: ${err.message}\n${String(stderr).slice(-2000)}`));
      } else {
        resolve({ outDir, seconds: (Date.now() - t0) / 1000 });
      }
    });
  });
}

/** Hard-links the TSDB blocks of `fromDir` (ULID-named directories, nothing else) into `toDir`; their count. */
export function linkBlocks(fromDir: string, toDir: string): number {
  let n = 0;
  for (const name of readdirSync(fromDir)) {
    if (!BLOCK_NAME.test(name) || !statSync(join(fromDir, name)).isDirectory()) {
      continue;
    }
    const copy = (from: string, to: string) => {
      mkdirSync(to, { recursive: true });
      for (const entry of readdirSync(from)) {
        const src = join(from, entry);
        if (statSync(src).isDirectory()) {
          copy(src, join(to, entry));
        } else {
          linkSync(src, join(to, entry));
        }
      }
    };
    copy(join(fromDir, name), join(toDir, name));
    n++;
  }
  return n;
}

/** What Prometheus's own /metrics says of its compactor (the harness does not scrape Prometheus itself). */
export interface CompactorState {
  blocksLoaded: number;
  /** Compactions finished (`prometheus_tsdb_compactions_total`). */
  compactions: number;
  /** 1 while a compaction writes a block (`prometheus_tsdb_compaction_populating_block`). */
  populating: number;
  /** The compactor's wake-ups, whether or not it found work (`prometheus_tsdb_compactions_triggered_total`). */
  triggered: number;
}

export async function compactorState(url: string): Promise<CompactorState> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (!m) {
      throw new Error(`Prometheus does not export ${name}`);
    }
    return Number(m[1]);
  };
  return {
    blocksLoaded: read('prometheus_tsdb_blocks_loaded'),
    compactions: read('prometheus_tsdb_compactions_total'),
    populating: read('prometheus_tsdb_compaction_populating_block'),
    triggered: read('prometheus_tsdb_compactions_triggered_total'),
  };
}

/**
 * Waits until Prometheus has compacted the backfilled blocks (promtool writes one block per 2 hours; a Prometheus
 * that wrote the same recordings live would hold them in its usual large blocks). Settled means: no block being
 * written, and two wake-ups of the compactor in a row that finished no compaction and left the block count alone.
 * The block count alone is not enough: a vertical merge of a day's overlapping blocks writes for minutes with the
 * count unchanged, so the growth bench's month could still be merging while the "settled" scan ran (10.2–12.2 s
 * then, 6.7 s with this wait, no compaction during the scan). The compactor wakes
 * once a minute (tsdb/db.go), so this takes at least two minutes. For the benchmark, which measures a settled
 * server; its seconds are reported apart.
 */
export async function waitForCompaction(url: string, maxMs = 1_800_000): Promise<number> {
  const t0 = Date.now();
  let last = await compactorState(url);
  let idleWakeups = 0;
  while (Date.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 2_000));
    const now = await compactorState(url);
    if (now.populating !== 0 || now.compactions !== last.compactions || now.blocksLoaded !== last.blocksLoaded) {
      idleWakeups = 0;
    } else if (now.triggered > last.triggered) {
      idleWakeups += now.triggered - last.triggered;
      if (idleWakeups >= 2) {
        break;
      }
    }
    last = now;
  }
  return (Date.now() - t0) / 1000;
}
