// Which Prometheus `npm run demo` starts (tools/demoPrometheus.ts), with the installed engines stood in for.
import type { PrometheusEngine } from '../harness/prometheus';
import { demoPrometheusEngine } from '../../tools/demoPrometheus';

const only =
  (...installed: PrometheusEngine[]) =>
  (engine: PrometheusEngine) => {
    if (!installed.includes(engine)) {
      throw new Error(`${engine} missing`);
    }
  };

describe('demoPrometheusEngine', () => {
  it("prefers Debian's Prometheus when both are there", () => {
    expect(demoPrometheusEngine({}, only('prometheus2', 'prometheus3'))).toBe('prometheus2');
  });

  it('falls back to the Prometheus 3 Go build on a machine without Debian packages', () => {
    expect(demoPrometheusEngine({}, only('prometheus3'))).toBe('prometheus3');
  });

  it('names the set-up command when there is neither', () => {
    expect(() => demoPrometheusEngine({}, only())).toThrow('npm run setup -- --demo');
  });

  it('PREFECT_INSIGHTS_PROMETHEUS picks the engine, as in the tests', () => {
    const saved = process.env.PREFECT_INSIGHTS_PROMETHEUS;
    process.env.PREFECT_INSIGHTS_PROMETHEUS = '3';
    try {
      expect(demoPrometheusEngine(process.env, only('prometheus2'))).toBe('prometheus3');
    } finally {
      if (saved === undefined) {
        delete process.env.PREFECT_INSIGHTS_PROMETHEUS;
      } else {
        process.env.PREFECT_INSIGHTS_PROMETHEUS = saved;
      }
    }
  });
});
