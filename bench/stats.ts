// Timing helpers for the benchmark: medians over alternating runs, so machine noise hits both sides alike.

export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs a and b alternately `rounds` times after one warm-up each; returns their median times in ms. */
export async function compare(
  a: () => Promise<unknown> | unknown,
  b: () => Promise<unknown> | unknown,
  rounds: number
): Promise<{ a: number; b: number }> {
  await a();
  await b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ta.push(await timeIt(a));
    tb.push(await timeIt(b));
  }
  return { a: median(ta), b: median(tb) };
}

export function verdict(ok: boolean): string {
  return ok ? 'meets target' : 'MISSES target';
}
