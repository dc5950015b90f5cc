// A table that no longer fits in the database's memory, read off a disk with a rate limit, for the length of one
// incident step. On a production install a few million flow runs with their JSON columns outgrow the database
// host's page cache, and a query that scans `flow_run` (the runs page once its indexes are gone) reads it off the
// volume at the volume's rate: it waits, and takes no CPU from the short statements, whose pages stay in memory.
// Here the table sits in a page cache of 24 GiB, so the scans are CPU work on a two-core box, and every route slowed
// with them (tests/prefect/README.md, the runs page's runs of 2026-12-05 and 2026-12-06).
//
// So: every PostgreSQL process goes into a blkio cgroup (v1) whose reads from the data directory's disk are limited
// to a rate, and the table's own files are dropped from the page cache once a second (`dd iflag=nocache count=0`,
// POSIX_FADV_DONTNEED on the whole file), so that a scan reads them off the disk again. Only the table's heap is
// dropped: its indexes, the other tables and the hot pages in shared_buffers stay where they were. Root only.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RunningPostgres } from './postgres';
import { below, processes } from './processTree';

const BLKIO = '/sys/fs/cgroup/blkio';
/** How often the table's pages are dropped from the page cache: a scan reads at most this much of it from memory. */
const EVICT_MS = 1000;
/**
 * A full read of the table takes this long at the limit (the limit is the table's size over it), when one scan has
 * the disk to itself. The runs page's UI patience is 10 s and Prefect's statement timeout 10 s too: a page that must
 * read the whole table reaches both whatever the readers share, as on the volume of a table several times its host's
 * memory.
 */
const FULL_READ_SECONDS = 15;
/**
 * The disk's read-ahead for the step, KB: Linux's default, which a database host's volume usually keeps. This VM's
 * disk has 8,192; under a rate limit a scan's 8 MB read-ahead holds the limit's queue for 145 ms at a time, and every
 * short statement that needs one page off the disk waits behind it (the first run with the limit, t0 2026-12-06 13:26
 * UTC: the worker's poll 0.06 -> 2.4 s at p95, a flow run's creation 0.05 -> 0.87 s).
 */
const READ_AHEAD_KB = 128;

export interface ColdTable {
  /** What was done, for the incident's notes. */
  note(): string;
  /** The processes leave the cgroup, the limit is gone, the table may be cached again. */
  restore(): Promise<void>;
}

function dd(file: string): Promise<void> {
  return new Promise((resolve) =>
    execFile('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'], () => resolve())
  );
}

/** The whole disk under `path`, its /sys/dev/block directory (a partition's own number is not what the throttle matches). */
function diskOf(path: string): string {
  const dev = statSync(path).dev;
  // glibc's major(): bits 8-19, and the high word's bits from 12 up (zero for the disks seen here).
  const major = ((dev >> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(sys)) {
    throw new Error(`${path} is on device ${major}:${minor}, which is no block device: a read limit cannot apply`);
  }
  return existsSync(join(sys, 'partition')) ? join(realpathSync(sys), '..') : sys;
}

function moveTo(pids: number[], procs: string): number {
  let moved = 0;
  for (const pid of pids) {
    try {
      writeFileSync(procs, String(pid));
      moved++;
    } catch {
      // ended since the listing
    }
  }
  return moved;
}

/** Every process of `group` back in the root group, then the group removed (also after a half-made start). */
function leave(group: string): void {
  if (!existsSync(group)) {
    return;
  }
  // A backend forked while the others move out joins the group: move until it is empty.
  for (let tries = 0; ; tries++) {
    const left = readFileSync(join(group, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    if (left.length === 0 || tries === 10) {
      break;
    }
    moveTo(left, join(BLKIO, 'cgroup.procs'));
  }
  rmdirSync(group);
}

export async function coldTable(pg: RunningPostgres, database: string, table: string): Promise<ColdTable> {
  if (process.getuid?.() !== 0) {
    throw new Error('a read limit on PostgreSQL needs root (a blkio cgroup): run the step as root, as CI does');
  }
  if (!/^[a-z_]+$/.test(table)) {
    throw new Error(`refusing odd table name ${table}`);
  }
  if (!existsSync(join(BLKIO, 'blkio.throttle.read_bps_device'))) {
    throw new Error(`no cgroup v1 blkio controller at ${BLKIO}: a read limit on PostgreSQL cannot be set here`);
  }
  const [path, bytes] = (
    await pg.psql(database, `SELECT pg_relation_filepath('${table}'), pg_relation_size('${table}')`)
  )
    .trim()
    .split('|');
  const data = join(pg.dir, 'data');
  const first = join(data, path);
  // The heap's 1 GB segments: the file itself, then .1, .2, ...
  const segments = readdirSync(dirname(first))
    .filter((f) => f === basename(first) || new RegExp(`^${basename(first)}\\.\\d+$`).test(f))
    .map((f) => join(dirname(first), f));
  const diskDir = diskOf(data);
  const disk = readFileSync(join(diskDir, 'dev'), 'utf8').trim();
  const rate = Math.max(1 << 20, Math.round(Number(bytes) / FULL_READ_SECONDS));
  const readAheadFile = join(diskDir, 'queue', 'read_ahead_kb');
  const readAhead = readFileSync(readAheadFile, 'utf8').trim();
  const group = join(BLKIO, `prefect-insights-${process.pid}`);
  let moved: number;
  try {
    writeFileSync(readAheadFile, String(READ_AHEAD_KB));
    mkdirSync(group, { recursive: true });
    writeFileSync(join(group, 'blkio.throttle.read_bps_device'), `${disk} ${rate}`);
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    moved = moveTo([...below(postmaster, processes())], join(group, 'cgroup.procs'));
  } catch (e) {
    writeFileSync(readAheadFile, readAhead);
    leave(group);
    throw e;
  }
  let evictions = 0;
  let stopped = false;
  // The first drop before the step goes on, so that the first scan already reads off the disk.
  await Promise.all(segments.map(dd));
  const evicting = (async () => {
    while (!stopped) {
      await Promise.all(segments.map(dd));
      evictions++;
      await new Promise((r) => setTimeout(r, EVICT_MS));
    }
  })();
  const mb = (n: number) => (n / 2 ** 20).toFixed(0);
  return {
    note: () =>
      `${table}'s ${mb(Number(bytes))} MB (${segments.length} files) dropped from the page cache ${evictions} times, ` +
      `once a second, and PostgreSQL's ${moved} processes (and the backends they started) limited to ${mb(rate)} MB/s ` +
      `of reads from disk ${disk} (the table in ${FULL_READ_SECONDS} s), its read-ahead ${READ_AHEAD_KB} KB (was ${readAhead})`,
    async restore() {
      stopped = true;
      await evicting;
      writeFileSync(readAheadFile, readAhead);
      leave(group);
    },
  };
}
