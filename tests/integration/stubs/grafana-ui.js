// Integration tests run the data source's query path in Node, which renders nothing. @grafana/runtime imports
// @grafana/ui (components, uPlot, canvas) at load time; this stand-in lets that import succeed. Every export is a
// callable stand-in that returns itself, so module-level calls such as withTheme2(Component) work.
const stub = new Proxy(function () {}, {
  get: (_t, key) =>
    key === '__esModule' ? false : key === Symbol.toPrimitive ? () => '' : key === 'then' ? undefined : stub,
  apply: () => stub,
  construct: () => stub,
});
module.exports = stub;
