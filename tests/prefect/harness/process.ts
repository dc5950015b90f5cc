// A long-running Python process of the suite (Prefect server, worker, driver): its env, its log file, and a stop
// that always happens (SIGTERM, then SIGKILL), also when the test process exits early. Incident injectors reach the
// pid through signal().
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';

const live = new Set<ChildProcess>();
let hooked = false;

export interface ManagedProcess {
  pid: number;
  logFile: string;
  child: ChildProcess;
  /** Last characters of the log, for error messages. */
  tail(chars?: number): string;
  signal(sig: NodeJS.Signals): void;
  exited(): Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

export function startProcess(file: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ManagedProcess {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  }
  const fd = openSync(logFile, 'a');
  const child = spawn(file, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  const done = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    })
  );
  const tail = (chars = 4000) => {
    try {
      return readFileSync(logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  };
  return {
    pid: child.pid ?? -1,
    logFile,
    child,
    tail,
    signal: (sig) => child.kill(sig),
    exited: () => done,
    stop: async (timeoutMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await done;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx, the process dies, or the time is up. */
export async function waitHttpOk(url: string, proc: ManagedProcess, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${what} exited before it was ready:\n${proc.tail()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${proc.tail()}`);
}

/** Pids of every live process below `pid` (children, their children …), read from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      // The command name (field 2) may hold spaces and parentheses: the fields after its last ')' are plain.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // gone between the listing and the read
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/**
 * Waits until `proc` has no live descendants (a worker's flow-run processes have all exited), polling /proc.
 * Resolves with the pids still running when the time is up (empty when they all ended).
 */
export async function waitForDescendants(proc: ManagedProcess, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = descendants(proc.pid);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    left = descendants(proc.pid);
  }
  return left;
}
