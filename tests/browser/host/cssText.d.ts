// The host bundle loads .css files as text (harness/buildHost.ts), to inject the ones Grafana bundles itself.
declare module '*.css' {
  const text: string;
  export default text;
}
