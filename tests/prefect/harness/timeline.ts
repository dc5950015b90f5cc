// The pieces an incident timeline is made of: background Prefect clients (the quiet driver, a traffic bump, the
// hammer) that record every request like the rest of the suite, a replaceable worker, and the log of what was
// injected when — the windows the scan's findings are judged against.
import { join } from 'node:path';
import { clientEnv, startWorker } from './prefectServer';
import { startProcess, type ManagedProcess } from './process';
import type { Stack } from './stack';
import { PREFECT_TOOLS, venvBin } from './venv';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Something the timeline did: an incident that must be found, or a stretch that must not raise anything. */
export interface Injected {
  /** The insight id that must be found, or null for a "must stay quiet" stretch (a short restart, a bump). */
  insight: string | null;
  label: string;
  start: number;
  end: number;
  /** What was done and what the server answered, for the report. */
  notes: string[];
  /** A decoy aimed at one route: its path as the clients send it, whose latency the report holds before and during. */
  route?: RegExp;
}

export interface ClientOptions {
  seconds: number;
  concurrency: number;
  /** Upper bound of the driver's random pause between iterations (s): sets the quiet rate. */
  pause?: number;
  /** One deployment run per N iterations (and one at each loop's start); the driver's default is 40, 0 none. */
  deploymentEvery?: number;
  /** Seconds over which the loops start one by one (the driver's default: all at once). */
  rampSeconds?: number;
  /** Leave the work-pool routes (heartbeat, pool read, polls) to the real worker. */
  noPoolCalls?: boolean;
  /** Name in the log file, e.g. `driver-quiet`. */
  name: string;
}

/** tools/prefect/load_driver.py in the background, surviving failed calls (the server answers 500 or goes away). */
export function startDriver(stack: Stack, opts: ClientOptions): ManagedProcess {
  const env = clientEnv(stack.prefect.apiUrl, join(stack.dir, `${opts.name}-home`), stack.requestLog);
  return startProcess(
    venvBin('python'),
    [
      join(PREFECT_TOOLS, 'load_driver.py'),
      '--pool',
      stack.pool,
      '--seconds',
      String(opts.seconds),
      '--concurrency',
      String(opts.concurrency),
      '--pause',
      String(opts.pause ?? 0.3),
      '--max-iterations',
      '1000000',
      '--keep-going',
      '--deployment-every',
      String(opts.deploymentEvery ?? 40),
      '--ramp',
      String(opts.rampSeconds ?? 0),
      ...(opts.noPoolCalls ? ['--no-pool-calls'] : []),
    ],
    env,
    join(stack.dir, `${opts.name}.log`)
  );
}

/**
 * tools/prefect/incidents/hammer.py: `concurrency` loops of one kind of call for `seconds`; `extraEnv` adds client
 * settings (e.g. PREFECT_API_REQUEST_TIMEOUT).
 */
export function startHammer(
  stack: Stack,
  call: 'runs-page' | 'ui-runs-page' | 'work-pool' | 'dashboard' | 'set-state' | 'task-count',
  concurrency: number,
  seconds: number,
  spreadSeconds = 0,
  extraEnv: Record<string, string> = {}
): ManagedProcess {
  const env = {
    ...clientEnv(stack.prefect.apiUrl, join(stack.dir, `hammer-${call}-home`), stack.requestLog),
    ...extraEnv,
  };
  return startProcess(
    venvBin('python'),
    [
      join(PREFECT_TOOLS, 'incidents/hammer.py'),
      '--call',
      call,
      '--pool',
      stack.pool,
      '--concurrency',
      String(concurrency),
      '--seconds',
      String(seconds),
      '--spread',
      String(spreadSeconds),
    ],
    env,
    join(stack.dir, `hammer-${call}.log`)
  );
}

/**
 * The stack's worker, restarted when it has exited: Prefect's worker gives up after repeated failed polls
 * (critical_service_loop), which an outage causes; a real deployment's supervisor would start it again.
 */
export class Workers {
  private current: ManagedProcess;
  private readonly started: ManagedProcess[] = [];

  constructor(private readonly stack: Stack) {
    this.current = stack.worker;
  }

  get pid(): number {
    return this.current.pid;
  }

  exited(): boolean {
    return this.current.child.exitCode !== null || this.current.child.signalCode !== null;
  }

  /** Starts a new worker if the current one is gone; returns whether it had to. */
  async ensure(): Promise<boolean> {
    if (!this.exited()) {
      return false;
    }
    this.current = await startWorker(this.stack.prefect.apiUrl, this.stack.dir, this.stack.pool, this.stack.requestLog);
    this.started.push(this.current);
    return true;
  }

  /** Stops the workers this class started (the stack stops its own). */
  async stop(): Promise<void> {
    for (const w of this.started) {
      await w.stop();
    }
  }
}

/** Waits for a background client and says how it ended (for the report, never silently). */
export async function finished(proc: ManagedProcess, graceMs: number): Promise<string> {
  const timer = setTimeout(() => proc.signal('SIGKILL'), graceMs);
  const code = await proc.exited();
  clearTimeout(timer);
  return code === 0 ? 'exit 0' : `exit ${code}: ${proc.tail(600)}`;
}

/** ISO time without the date, for the report. */
export const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
