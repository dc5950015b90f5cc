// The engines an integration test can backfill OpenMetrics into, each started on demand: the default Prometheus
// (2.42, or 3 in the prom3 suite) and, beside 2.42 only, VictoriaMetrics (the prom3 suite leaves it to the default
// one, as it does its own files). Each test derives what it needs to know of an engine from its `kind`.
import { defaultEngine, startPrometheus, type PrometheusEngine } from '../harness/prometheus';
import { startVictoriaMetrics } from '../harness/victoriametrics';

export interface BackfilledEngine {
  kind: PrometheusEngine | 'victoriametrics';
  url: string;
  stop(): Promise<void>;
}

export function backfilledEngines(
  openMetrics: () => string
): Array<{ name: string; start(): Promise<BackfilledEngine> }> {
  return [
    {
      name: defaultEngine() === 'prometheus2' ? 'Prometheus 2.42' : 'Prometheus 3',
      async start() {
        const p = await startPrometheus({ openMetrics: openMetrics() });
        return { kind: p.engine, url: p.url, stop: () => p.stop() };
      },
    },
    ...(defaultEngine() === 'prometheus2'
      ? [
          {
            name: 'VictoriaMetrics',
            async start(): Promise<BackfilledEngine> {
              const vm = await startVictoriaMetrics({ openMetrics: openMetrics() });
              return { kind: 'victoriametrics', url: vm.url, stop: () => vm.stop() };
            },
          },
        ]
      : []),
  ];
}
