// A long-running Python process of the suite (Prefect server, worker, driver): its env, its log file, and a stop
// that always happens (SIGTERM, then SIGKILL), also when the test process exits early. Incident injectors reach the
// pid through signal().
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

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
