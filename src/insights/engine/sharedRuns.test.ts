import { createSharedRuns } from './sharedRuns';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createSharedRuns', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('joins identical keys in flight: one start, the same value for every caller', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 10_000, maxEntries: 8, now });
    const d = deferred<string>();
    const start = jest.fn(() => d.promise);
    const a = runs.run('k', start);
    const b = runs.run('k', start);
    const c = runs.run('k', start);
    d.resolve('v');
    await expect(Promise.all([a, b, c])).resolves.toEqual(['v', 'v', 'v']);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('runs different keys separately', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 10_000, maxEntries: 8, now });
    const start = jest.fn((/* signal */) => Promise.resolve('x'));
    await Promise.all([runs.run('a', start), runs.run('b', start)]);
    expect(start).toHaveBeenCalledTimes(2);
  });

  it('reuses a finished result until ttl, then runs again', async () => {
    const runs = createSharedRuns<number>({ ttlMs: 5_000, maxEntries: 8, now });
    let n = 0;
    const start = () => Promise.resolve(++n);
    expect(await runs.run('k', start)).toBe(1);
    clock += 4_999;
    expect(await runs.run('k', start)).toBe(1);
    clock += 1;
    expect(await runs.run('k', start)).toBe(2);
  });

  it('forgets a failed run: the next caller starts afresh', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 10_000, maxEntries: 8, now });
    await expect(runs.run('k', () => Promise.reject(new Error('502')))).rejects.toThrow('502');
    expect(runs.size()).toBe(0);
    await expect(runs.run('k', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('forgets a run whose start throws synchronously', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 10_000, maxEntries: 8, now });
    await expect(
      runs.run('k', () => {
        throw new Error('boom');
      })
    ).rejects.toThrow('boom');
    expect(runs.size()).toBe(0);
  });

  it('a caller that aborts stops waiting alone; the others get the shared result and it is not aborted', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 10_000, maxEntries: 8, now });
    const d = deferred<string>();
    let shared: AbortSignal | undefined;
    const start = (signal: AbortSignal) => {
      shared = signal;
      return d.promise;
    };
    const one = new AbortController();
    const two = new AbortController();
    const a = runs.run('k', start, one.signal);
    const b = runs.run('k', start, two.signal);
    one.abort();
    await expect(a).rejects.toMatchObject({ name: 'AbortError' });
    expect(shared?.aborted).toBe(false);
    d.resolve('v');
    await expect(b).resolves.toBe('v');
    // and the result is kept for the next caller
    await expect(runs.run('k', () => Promise.resolve('other'))).resolves.toBe('v');
  });

  it('aborts the shared run when every caller has given up, and does not keep it', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 10_000, maxEntries: 8, now });
    let shared: AbortSignal | undefined;
    const start = (signal: AbortSignal) => {
      shared = signal;
      return new Promise<string>((_res, rej) =>
        signal.addEventListener('abort', () => rej(Object.assign(new Error('aborted'), { name: 'AbortError' })))
      );
    };
    const one = new AbortController();
    const two = new AbortController();
    const a = runs.run('k', start, one.signal);
    const b = runs.run('k', start, two.signal);
    one.abort();
    two.abort();
    await expect(Promise.allSettled([a, b])).resolves.toEqual([
      expect.objectContaining({ status: 'rejected' }),
      expect.objectContaining({ status: 'rejected' }),
    ]);
    expect(shared?.aborted).toBe(true);
    expect(runs.size()).toBe(0);
    await expect(runs.run('k', () => Promise.resolve('fresh'))).resolves.toBe('fresh');
  });

  it('a caller without a signal keeps the run alive when the others abort', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 10_000, maxEntries: 8, now });
    const d = deferred<string>();
    let shared: AbortSignal | undefined;
    const start = (signal: AbortSignal) => {
      shared = signal;
      return d.promise;
    };
    const patient = runs.run('k', start);
    const c = new AbortController();
    const impatient = runs.run('k', start, c.signal);
    c.abort();
    await expect(impatient).rejects.toMatchObject({ name: 'AbortError' });
    expect(shared?.aborted).toBe(false);
    d.resolve('v');
    await expect(patient).resolves.toBe('v');
  });

  it('rejects at once for an already aborted signal without starting anything', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 10_000, maxEntries: 8, now });
    const c = new AbortController();
    c.abort();
    const start = jest.fn(() => Promise.resolve('v'));
    await expect(runs.run('k', start, c.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(start).not.toHaveBeenCalled();
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 60_000, maxEntries: 3, now });
    for (const k of ['a', 'b', 'c', 'd']) {
      await runs.run(k, () => Promise.resolve(k));
    }
    expect(runs.size()).toBe(3);
    const start = jest.fn(() => Promise.resolve('a2'));
    await expect(runs.run('a', start)).resolves.toBe('a2');
    expect(start).toHaveBeenCalledTimes(1);
    const kept = jest.fn(() => Promise.resolve('d2'));
    await expect(runs.run('d', kept)).resolves.toBe('d');
    expect(kept).not.toHaveBeenCalled();
  });

  it('drops expired results when new ones arrive', async () => {
    const runs = createSharedRuns<string>({ ttlMs: 1_000, maxEntries: 10, now });
    await runs.run('a', () => Promise.resolve('a'));
    await runs.run('b', () => Promise.resolve('b'));
    clock += 1_000;
    await runs.run('c', () => Promise.resolve('c'));
    expect(runs.size()).toBe(1);
  });
});
