// Which Prometheus the demo runs: Debian's 2.42 when it is installed, else the Prometheus 3 that
// tools/prometheus3/build.sh builds with Go, so that a machine with only Node and Go runs the demo too
// (`tools/setup.sh --demo` provides one of the two). PREFECT_INSIGHTS_PROMETHEUS=2|3 picks one, as in the tests.
import { defaultEngine, findPrometheusBinaries, type PrometheusEngine } from '../tests/harness/prometheus';

const SETUP_HINT =
  'run `npm run setup -- --demo` (Debian: `sudo apt-get install -y prometheus`; else it builds Prometheus 3 with Go)';

export function demoPrometheusEngine(
  env: NodeJS.ProcessEnv = process.env,
  find: (engine: PrometheusEngine) => unknown = findPrometheusBinaries
): PrometheusEngine {
  if (env.PREFECT_INSIGHTS_PROMETHEUS?.trim()) {
    return defaultEngine();
  }
  for (const engine of ['prometheus2', 'prometheus3'] as const) {
    try {
      find(engine);
      return engine;
    } catch {
      // not installed: try the next one
    }
  }
  throw new Error(`no Prometheus found (neither Debian's nor the Prometheus 3 build): ${SETUP_HINT}`);
}
