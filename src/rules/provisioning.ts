// The rule file the compose stack loads: the simulator's `prefect` convention, scraped every 15 s
// (provisioning/prometheus/prometheus.yml), Prefect's default settings. `npm run rules:provisioning` writes it;
// provisioning.test.ts fails when it is out of date.
import { DEFAULT_PREFECT_SETTINGS } from '../catalog/prefectSettings';
import { rulesYaml } from './generate';
import { metricForConvention } from './offline';

export const PROVISIONING_RULES_PATH = 'provisioning/prometheus/rules/prefect-insights.rules.yml';

export function provisioningRulesYaml(): string {
  return rulesYaml(metricForConvention('prefect'), DEFAULT_PREFECT_SETTINGS, { scrapeIntervalSeconds: 15 });
}
