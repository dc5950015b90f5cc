// Thanos for integration tests, built from its Go module by tools/thanos/build.sh: every component a real process on
// free 127.0.0.1 ports, sharing a FILESYSTEM object store in a temp dir that goes away with the cluster (also when a
// test fails or the process exits, through localServer's exit hook).
//
// Two topologies, as operators run them:
// - an HA pair: two backfilled Prometheus replicas (external label `replica`), a sidecar each uploading to the bucket,
//   `thanos compact` run once (downsampling on), a store gateway, a querier deduplicating on `replica` with every
//   static endpoint strict, and a query-frontend in front;
// - a receive ring: three receivers (hashring of three, replication factor 2) fed by Prometheus remote write, and a
//   querier deduplicating on the receivers' own replica label.
import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startLocalServer, type LocalServer } from './localServer';
import { startPrometheus, type RunningPrometheus, type StartPrometheusOptions } from './prometheus';

// Beside this file in tests; from the repository root (where npm scripts run) in the bundled bench, which lives in
// .tmp/ so that __dirname would mislead.
const THANOS_DIR =
  [resolve(__dirname, '../../tools/thanos'), resolve('tools/thanos')].find((d) => existsSync(join(d, 'version.env'))) ??
  resolve(__dirname, '../../tools/thanos');

/** The pinned Thanos version (tools/thanos/version.env, shared with build.sh), e.g. `v0.42.4`. */
export function thanosVersion(): string {
  const m = /^THANOS_VERSION=(\S+)$/m.exec(readFileSync(join(THANOS_DIR, 'version.env'), 'utf8'));
  if (!m) {
    throw new Error('tools/thanos/version.env has no THANOS_VERSION');
  }
  return m[1];
}

/** `$THANOS_BIN`, else where build.sh caches the binary. */
export function thanosBinaryPath(): string {
  if (process.env.THANOS_BIN) {
    return process.env.THANOS_BIN;
  }
  const cache = process.env.PREFECT_INSIGHTS_CACHE || join(homedir(), '.cache', 'prefect-insights');
  return join(cache, `thanos-${thanosVersion()}`, 'thanos');
}

export function findThanos(): string {
  const bin = thanosBinaryPath();
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(
      `Thanos is not built at ${bin}: run \`bash tools/thanos/build.sh\` (npm run test:integration:thanos and ` +
        "CI's .ci/run do this), or point THANOS_BIN at a thanos binary"
    );
  }
  return bin;
}

/** A Thanos component: HTTP (`url`) and, for StoreAPI servers, a gRPC `host:port`. */
export interface ThanosProcess extends LocalServer {
  grpc: string;
}

interface ComponentOptions {
  component: string;
  /** Arguments given the HTTP and gRPC listen addresses and the component's own temp dir. */
  args: (http: string, grpc: string, dir: string) => string[];
  /** Pre-chosen gRPC port (a receive ring names its members before any starts); default a free one. */
  grpcPort?: number;
  readyTimeoutMs?: number;
}

/** A port chosen free was taken by another process before the component bound it (test files run side by side). */
const PORT_TAKEN = /address already in use/;
const START_ATTEMPTS = 3;

async function startComponent(opts: ComponentOptions): Promise<ThanosProcess> {
  const bin = findThanos();
  for (let attempt = 1; ; attempt++) {
    const grpc = `127.0.0.1:${opts.grpcPort ?? (await freePort())}`;
    const dir = mkdtempSync(join(tmpdir(), `prefect-insights-thanos-${opts.component}-`));
    try {
      // startLocalServer retries a taken HTTP port itself; a taken gRPC port needs a new one from here.
      const server = await startLocalServer({
        name: `thanos ${opts.component}`,
        bin,
        args: (port) => [opts.component, '--log.level=warn', ...opts.args(`127.0.0.1:${port}`, grpc, dir)],
        readyPath: '/-/ready',
        readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
        dir,
      });
      return { ...server, grpc };
    } catch (e) {
      if (opts.grpcPort !== undefined || attempt >= START_ATTEMPTS || !PORT_TAKEN.test(String(e))) {
        throw e;
      }
    }
  }
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${String(stderr).slice(-3000)}`));
      } else {
        resolve(String(stderr));
      }
    });
  });
}

/** Polls `check` every 200 ms until it returns true; past the deadline, fails with `what()` (the state seen last). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface BucketBlock {
  ulid: string;
  minTime: number;
  maxTime: number;
  /** Downsampling resolution, ms: 0 raw, 300000 (5 m), 3600000 (1 h). */
  resolution: number;
  labels: Record<string, string>;
  level: number;
}

/** Complete blocks in a FILESYSTEM bucket (the uploader writes meta.json last), without deletion marks. */
export function bucketBlocks(bucketDir: string): BucketBlock[] {
  const out: BucketBlock[] = [];
  // The first upload creates the bucket directory.
  for (const ulid of existsSync(bucketDir) ? readdirSync(bucketDir) : []) {
    const meta = join(bucketDir, ulid, 'meta.json');
    if (!existsSync(meta) || existsSync(join(bucketDir, ulid, 'deletion-mark.json'))) {
      continue;
    }
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    out.push({
      ulid,
      minTime: m.minTime,
      maxTime: m.maxTime,
      resolution: m.thanos?.downsample?.resolution ?? 0,
      labels: m.thanos?.labels ?? {},
      level: m.compaction?.level ?? 0,
    });
  }
  return out;
}

/** ULIDs of the blocks in a Prometheus data dir. */
function tsdbBlocks(dataDir: string): string[] {
  return readdirSync(dataDir).filter((d) => existsSync(join(dataDir, d, 'meta.json')));
}

function writeObjstoreConfig(dir: string, bucketDir: string): string {
  const file = join(dir, 'objstore.yml');
  writeFileSync(file, `type: FILESYSTEM\nconfig:\n  directory: ${JSON.stringify(bucketDir)}\n`);
  return file;
}

/** The querier's endpoint.sd-config: every static endpoint strict, so a lost one stays listed and is reported. */
function endpointConfig(grpcAddresses: string[], strict: boolean): string {
  return JSON.stringify({ endpoints: grpcAddresses.map((address) => ({ address, strict })) });
}

export interface StoreStatus {
  name: string;
  lastError: string | null;
  lastCheck: string;
}

/** The querier's view of its endpoints (`/api/v1/stores`), flattened over store types. */
export async function querierStores(queryUrl: string): Promise<StoreStatus[]> {
  const body = (await (await fetch(`${queryUrl}/api/v1/stores`)).json()) as {
    data: Record<string, StoreStatus[] | null>;
  };
  return Object.values(body.data ?? {}).flatMap((list) => list ?? []);
}

/**
 * A querier over these gRPC endpoints, deduplicating on `replicaLabel`, ready once it has reached all of them. Strict
 * by default; a non-strict endpoint that fails its health check is dropped from queries without a warning.
 */
export async function startQuerier(
  endpoints: string[],
  replicaLabel: string,
  opts: { strict?: boolean; extraArgs?: string[] } = {}
): Promise<ThanosProcess> {
  const query = await startComponent({
    component: 'query',
    args: (http, grpc) => [
      `--http-address=${http}`,
      `--grpc-address=${grpc}`,
      `--endpoint.sd-config=${endpointConfig(endpoints, opts.strict ?? true)}`,
      `--query.replica-label=${replicaLabel}`,
      ...(opts.extraArgs ?? []),
    ],
  });
  try {
    // Ready is not connected: wait until every endpoint answered its first health check.
    let seen: StoreStatus[] = [];
    await waitFor(
      async () => {
        seen = await querierStores(query.url);
        return endpoints.every((e) => seen.some((s) => s.name === e && s.lastError === null));
      },
      30_000,
      () => `the querier did not reach all of ${endpoints.join(', ')}: ${JSON.stringify(seen)}`
    );
  } catch (e) {
    await query.stop();
    throw e;
  }
  return query;
}

/**
 * A query-frontend in front of `queryUrl` with its defaults (24 h splits, 14 at once). No results cache: v0.42.4 adds
 * one only when `--query-range.response-cache-config` has content (`cmd/thanos/query_frontend.go`), and none is given.
 */
export function startQueryFrontend(queryUrl: string): Promise<ThanosProcess> {
  return startComponent({
    component: 'query-frontend',
    args: (http) => [`--http-address=${http}`, `--query-frontend.downstream-url=${queryUrl}`],
  });
}

export interface StartThanosHaOptions {
  /** Per replica: its `replica` label value and its data (an OpenMetrics file promtool backfills, or blocks written). */
  replicas: Array<{ replica: string } & Pick<StartPrometheusOptions, 'openMetrics' | 'fillDataDir'>>;
  /** Other Prometheus options for every replica (engine, ...). */
  prometheus?: Omit<StartPrometheusOptions, 'openMetrics' | 'fillDataDir' | 'externalLabels'>;
  /** Time allowed for the upload and for `thanos compact` each (default 2 and 3 minutes: test sizes). */
  uploadTimeoutMs?: number;
  compactTimeoutMs?: number;
  /** More querier flags (e.g. `--query.timeout`). */
  queryArgs?: string[];
  /** More sidecar flags (e.g. `--min-time`, so that the sidecar serves only what Prometheus keeps locally). */
  sidecarArgs?: string[];
}

export interface RunningThanosHa {
  replicas: RunningPrometheus[];
  sidecars: ThanosProcess[];
  store: ThanosProcess;
  query: ThanosProcess;
  frontend: ThanosProcess;
  bucketDir: string;
  /** What `thanos compact` logged (warnings and errors only). */
  compactLog: string;
  stop(): Promise<void>;
}

/** The HA pair behind a query-frontend, data uploaded and compacted before the store gateway and querier start. */
export async function startThanosHa(opts: StartThanosHaOptions): Promise<RunningThanosHa> {
  const bin = findThanos();
  const work = mkdtempSync(join(tmpdir(), 'prefect-insights-thanos-'));
  const bucketDir = join(work, 'bucket');
  const objstore = writeObjstoreConfig(work, bucketDir);
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    await Promise.all(started.reverse().map((s) => s.stop()));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const replicas: RunningPrometheus[] = [];
    for (const r of opts.replicas) {
      const prom = await startPrometheus({
        ...opts.prometheus,
        openMetrics: r.openMetrics,
        fillDataDir: r.fillDataDir,
        externalLabels: { cluster: 'prefect', replica: r.replica },
        // The sidecar uploads what Prometheus cuts and refuses to start while Prometheus compacts (min != max).
        extraArgs: [
          '--storage.tsdb.min-block-duration=2h',
          '--storage.tsdb.max-block-duration=2h',
          ...(opts.prometheus?.extraArgs ?? []),
        ],
      });
      started.push(prom);
      replicas.push(prom);
    }
    const sidecars: ThanosProcess[] = [];
    for (const prom of replicas) {
      const sidecar = await startComponent({
        component: 'sidecar',
        args: (http, grpc) => [
          `--http-address=${http}`,
          `--grpc-address=${grpc}`,
          `--prometheus.url=${prom.url}`,
          `--tsdb.path=${prom.dataDir}`,
          `--objstore.config-file=${objstore}`,
          ...(opts.sidecarArgs ?? []),
        ],
      });
      started.push(sidecar);
      sidecars.push(sidecar);
    }
    const wanted = replicas.flatMap((p) => tsdbBlocks(p.dataDir));
    await waitFor(
      () => {
        const have = new Set(bucketBlocks(bucketDir).map((b) => b.ulid));
        return wanted.every((u) => have.has(u));
      },
      opts.uploadTimeoutMs ?? 120_000,
      () => `the sidecars did not upload ${wanted.join(', ')} (bucket: ${bucketBlocks(bucketDir).map((b) => b.ulid)})`
    );
    // Once, as a cron job would: blocks just uploaded count (no consistency delay), downsampling on (the default).
    const compactDir = join(work, 'compact');
    const compactLog = await run(
      bin,
      [
        'compact',
        '--log.level=warn',
        `--http-address=127.0.0.1:${await freePort()}`,
        `--data-dir=${compactDir}`,
        `--objstore.config-file=${objstore}`,
        '--consistency-delay=0s',
      ],
      opts.compactTimeoutMs ?? 180_000
    );
    rmSync(compactDir, { recursive: true, force: true });
    const store = await startComponent({
      component: 'store',
      args: (http, grpc, dir) => [
        `--http-address=${http}`,
        `--grpc-address=${grpc}`,
        `--data-dir=${dir}`,
        `--objstore.config-file=${objstore}`,
      ],
    });
    started.push(store);
    const query = await startQuerier([...sidecars.map((s) => s.grpc), store.grpc], 'replica', {
      extraArgs: opts.queryArgs,
    });
    started.push(query);
    const frontend = await startQueryFrontend(query.url);
    started.push(frontend);
    return { replicas, sidecars, store, query, frontend, bucketDir, compactLog, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

export interface ReceiveRingMember extends ThanosProcess {
  /** Prometheus remote write URL of this receiver. */
  remoteWriteUrl: string;
  /** Its `receive_replica` label: replicated copies differ only by it. */
  replica: string;
}

export interface RunningReceiveRing {
  receivers: ReceiveRingMember[];
  query: ThanosProcess;
  stop(): Promise<void>;
}

/** Receivers in one hashring (all members listed), replicating each series to `replicationFactor` of them. */
export async function startReceiveRing(size = 3, replicationFactor = 2): Promise<RunningReceiveRing> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startReceiveRingOnce(size, replicationFactor);
    } catch (e) {
      // The members' ports are chosen before any starts (the hashring lists them all): if one was taken meanwhile,
      // the whole ring starts again on new ones.
      if (attempt >= START_ATTEMPTS || !PORT_TAKEN.test(String(e))) {
        throw e;
      }
    }
  }
}

async function startReceiveRingOnce(size: number, replicationFactor: number): Promise<RunningReceiveRing> {
  const work = mkdtempSync(join(tmpdir(), 'prefect-insights-thanos-ring-'));
  const members: Array<{ grpcPort: number; writePort: number; capnpPort: number; replica: string }> = [];
  for (let i = 0; i < size; i++) {
    members.push({
      grpcPort: await freePort(),
      writePort: await freePort(),
      capnpPort: await freePort(),
      replica: `r${i}`,
    });
  }
  const hashrings = join(work, 'hashrings.json');
  writeFileSync(
    hashrings,
    JSON.stringify([{ hashring: 'default', endpoints: members.map((m) => `127.0.0.1:${m.grpcPort}`) }])
  );
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    await Promise.all(started.reverse().map((s) => s.stop()));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    // Settled, not Promise.all: a member that fails must not leave the others starting after the clean-up.
    const outcomes = await Promise.allSettled(
      members.map((m) =>
        startComponent({
          component: 'receive',
          grpcPort: m.grpcPort,
          args: (http, grpc, dir) => [
            `--http-address=${http}`,
            `--grpc-address=${grpc}`,
            `--remote-write.address=127.0.0.1:${m.writePort}`,
            // Its Cap'n Proto replication listener too, or it binds 0.0.0.0:19391 and a second receiver cannot start.
            `--receive.capnproto-address=127.0.0.1:${m.capnpPort}`,
            `--tsdb.path=${dir}`,
            `--receive.hashrings-file=${hashrings}`,
            `--receive.local-endpoint=${grpc}`,
            `--receive.replication-factor=${replicationFactor}`,
            `--label=receive_replica="${m.replica}"`,
          ],
        })
      )
    );
    const receivers: ReceiveRingMember[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') {
        started.push(o.value);
        const m = members[i];
        receivers.push({
          ...o.value,
          remoteWriteUrl: `http://127.0.0.1:${m.writePort}/api/v1/receive`,
          replica: m.replica,
        });
      }
    });
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      throw failed.reason;
    }
    const query = await startQuerier(
      receivers.map((r) => r.grpc),
      'receive_replica'
    );
    started.push(query);
    return { receivers, query, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
