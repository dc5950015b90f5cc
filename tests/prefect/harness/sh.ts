// A command run to its end from the repository root (the CLI build, the built `prefect-insights scan`), with its
// exit code and output; a time limit ends a command that hangs, reported as code -1.
import { execFile } from 'node:child_process';
import { ROOT } from './venv';

export interface ShResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function sh(file: string, args: string[], timeoutMs: number): Promise<ShResult> {
  return new Promise((done) => {
    execFile(file, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
