// The table test:prefect prints per setup: what was resolved, and per route the clients' counts and p95 beside
// what Prometheus and the plugin say.
export interface RouteRow {
  route: string;
  driver: number;
  prometheus: number;
  driverP95: number;
  /** The clients' p90 and p99: the sampling interval of their p95. */
  driverP90: number;
  driverP99: number;
  pluginP95?: number;
}

export interface SetupReport {
  id: string;
  title: string;
  command?: string;
  metric?: string;
  selector?: string;
  saveAndTest?: string;
  rawRoutes?: string[];
  routes: RouteRow[];
  scanInsights?: string[];
  notes: string[];
}

const ms = (s: number | undefined) => (s === undefined ? '-' : `${(s * 1000).toFixed(1)} ms`);

export function formatReport(r: SetupReport): string {
  const lines = [
    `\n=== setup ${r.id}: ${r.title}`,
    `server:       ${r.command ?? '(not started)'}`,
    `metric:       ${r.metric ?? '(not resolved)'}${r.selector ? `  selector {${r.selector}}` : ''}`,
    `Save & test:  ${r.saveAndTest ?? '-'}`,
    `scan:         ${r.scanInsights === undefined ? '-' : r.scanInsights.length === 0 ? 'no insights' : r.scanInsights.join(', ')}`,
    `${'route'.padEnd(58)} ${'clients'.padStart(7)} ${'Prom'.padStart(7)} ${'p95 clients'.padStart(12)} ${'p90..p99 clients'.padStart(22)} ${'p95 plugin'.padStart(12)}`,
  ];
  for (const row of [...r.routes].sort((a, b) => b.driver - a.driver)) {
    lines.push(
      `${row.route.padEnd(58)} ${String(row.driver).padStart(7)} ${String(row.prometheus).padStart(7)} ${ms(row.driverP95).padStart(12)} ${`${ms(row.driverP90)}..${ms(row.driverP99)}`.padStart(22)} ${ms(row.pluginP95).padStart(12)}`
    );
  }
  if (r.rawRoutes) {
    lines.push(`route values: ${r.rawRoutes.join(' ')}`);
  }
  lines.push(...r.notes);
  return lines.join('\n');
}

export function printTable(reports: SetupReport[]): void {
  // Straight to stdout: the CI log must carry the table whether the tests passed or not.
  process.stdout.write(reports.map(formatReport).join('\n') + '\n');
}
