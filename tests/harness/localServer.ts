// What every test server of the harness needs: a binary found on PATH, a free 127.0.0.1 port, a child process that
// is ready before tests use it, and that dies with its temp dir on stop(), on a failed start, or when the test
// process exits without stopping it.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Processes and dirs still alive; killed and removed synchronously if the test process exits without stop().
const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const entry of live) {
      try {
        entry.child.kill('SIGKILL');
      } catch {
        // already gone
      }
      rmSync(entry.dir, { recursive: true, force: true });
    }
  });
}

function stopChild(child: ChildProcess, timeoutMs = 10000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitReady(name: string, url: string, child: ChildProcess, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before ready:\n${log()}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} not ready after ${timeoutMs} ms:\n${log()}`);
}

export interface LocalServerOptions {
  /** For messages, e.g. `prometheus`. */
  name: string;
  bin: string;
  /** Command-line arguments for a given port (the server must listen on 127.0.0.1:port). */
  args: (port: number) => string[];
  /** Path answering 200 once the server is ready, e.g. `/-/ready`. */
  readyPath: string;
  readyTimeoutMs: number;
  /** Temp dir owned by the server: removed on stop() and when the start fails. */
  dir: string;
  /**
   * Outlive this process (`npm run demo -- --keep`): detached, its stderr in this file instead of a pipe (a Go
   * server writing to the pipe of a process that has gone would die of SIGPIPE), its dir left in place at exit.
   */
  keepLogFile?: string;
}

export interface LocalServer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function spawnServer(opts: LocalServerOptions, port: number): { child: ChildProcess; log: () => string } {
  if (opts.keepLogFile) {
    const file = opts.keepLogFile;
    const fd = openSync(file, 'a');
    const child = spawn(opts.bin, opts.args(port), { stdio: ['ignore', 'ignore', fd], detached: true });
    closeSync(fd);
    child.unref();
    return { child, log: () => readFileSync(file, 'utf8').slice(-8000) };
  }
  const child = spawn(opts.bin, opts.args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  return { child, log: () => stderr };
}

/** Starts the server on a free port (retrying if another process took the port first) and waits until it is ready. */
export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  installExitHook();
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { child, log } = spawnServer(opts, port);
    const entry = { child, dir: opts.dir };
    live.add(entry);
    try {
      await waitReady(opts.name, url + opts.readyPath, child, opts.readyTimeoutMs, log);
    } catch (e) {
      await stopChild(child);
      live.delete(entry);
      if (attempt < 2 && /address already in use/.test(log())) {
        continue;
      }
      rmSync(opts.dir, { recursive: true, force: true });
      throw e;
    }
    if (opts.keepLogFile) {
      live.delete(entry);
    }
    let stopped = false;
    return {
      url,
      port,
      pid: child.pid ?? 0,
      stop: async () => {
        if (stopped) {
          return;
        }
        stopped = true;
        await stopChild(child);
        live.delete(entry);
        rmSync(opts.dir, { recursive: true, force: true });
      },
    };
  }
}
