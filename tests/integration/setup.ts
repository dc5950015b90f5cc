// @grafana/data and @grafana/runtime touch `window` (a localStorage-backed store, window.grafanaBootData) when they
// are imported. Integration tests run in Node, so they get the few globals those imports read; nothing else.
const g = globalThis as Record<string, unknown>;

if (typeof g.window === 'undefined') {
  const memory = new Map<string, string>();
  const localStorage = {
    getItem: (k: string) => (memory.has(k) ? memory.get(k)! : null),
    setItem: (k: string, v: string) => void memory.set(k, String(v)),
    removeItem: (k: string) => void memory.delete(k),
    clear: () => memory.clear(),
    key: (i: number) => [...memory.keys()][i] ?? null,
    get length() {
      return memory.size;
    },
  };
  g.localStorage = localStorage;
  // Import-time DOM use (react-use's nano-css injecting a style element) only needs calls that succeed. Every
  // property of this stand-in is a callable stand-in again; nothing here renders.
  const stub: object = new Proxy(function () {}, {
    get: (_t, key) =>
      key === Symbol.toPrimitive ? () => '' : key === 'then' ? undefined : key === 'length' ? 0 : stub,
    apply: () => stub,
    construct: () => stub,
  });
  g.document = stub;
  if (typeof g.navigator === 'undefined') {
    g.navigator = { userAgent: 'node', language: 'en-US', languages: ['en-US'] };
  }

  g.window = Object.assign(globalThis, {
    grafanaBootData: { settings: { featureToggles: {} }, user: {}, navTree: [], assets: { dark: '', light: '' } },
    location: new URL('http://localhost/'),
    history: {
      pushState: () => {},
      replaceState: () => {},
      back: () => {},
      forward: () => {},
      go: () => {},
      state: null,
    },
    devicePixelRatio: 1,
    addEventListener: () => {},
    removeEventListener: () => {},
    matchMedia: () => ({
      matches: false,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
    }),
  });
}
