// @grafana/scenes creates an IntersectionObserver when it is imported (its LazyLoader); jsdom and Node have none.
// Import this module before @grafana/scenes. Nothing in the tests lays out, so an observer that never fires will do.
const g = globalThis as Record<string, unknown>;
if (typeof g.IntersectionObserver === 'undefined') {
  g.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
}
export {};
