// The Grafana data source types this plugin can sit on: those whose backend is Grafana's Prometheus library
// (grafana/grafana `pkg/promlib`, also published as grafana/grafana-prometheus-datasource). Each registers promlib's
// CallResource, which forwards `/api/v1/…` resource calls with the data source's own HTTP client, so its
// authentication (SigV4 for Amazon Managed Service for Prometheus, Azure credentials, …) is applied.
// (grafana/grafana-amazonprometheus-datasource `pkg/datasource.go`, grafana/azure-prometheus-datasource
// `pkg/datasource.go`: both `promlib.NewService(…)` and `CallResource` → `Service.CallResource`.)
export const PROMETHEUS_DATASOURCE_TYPES = [
  'prometheus',
  'grafana-amazonprometheus-datasource',
  'grafana-azureprometheus-datasource',
] as const;
