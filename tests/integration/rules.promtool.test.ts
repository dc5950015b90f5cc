/** @jest-environment node */
// The generated rules of EVERY convention through Debian's `promtool test rules`: each insight's signature must
// fire its alert (and only it) and the decoys (one slow scrape, a restart under a minute, a traffic bump) must
// fire nothing. Series come from tests/integration/rulesScenarios.ts, built from the conventions table.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_PREFECT_SETTINGS } from '../../src/catalog/prefectSettings';
import type { MetricConvention } from '../../src/prometheus/types';
import { alertRules, buildRuleGroups, rulesYaml, type AlertRule } from '../../src/rules/generate';
import { metricForConvention } from '../../src/rules/offline';
import { toYaml, type YamlValue } from '../../src/rules/yaml';
import { findPrometheusBinaries } from '../harness/prometheus';
import {
  DECOYS,
  INSTANCE,
  JOB,
  MUST_FIRE,
  TESTED_CONVENTIONS,
  inputSeries,
  type Check,
  type Scenario,
} from './rulesScenarios';

const SCRAPE_SECONDS = 60;
const work = mkdtempSync(join(tmpdir(), 'rules-promtool-'));
afterAll(() => {
  if (!process.env.KEEP_RULES_TEST_FILES) {
    rmSync(work, { recursive: true, force: true });
  }
});

function promtool(args: string[]): Promise<{ code: number; out: string }> {
  const { promtool: bin } = findPrometheusBinaries();
  return new Promise((done) => {
    execFile(bin, args, { cwd: work, timeout: 170_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}

function expectedAlerts(rule: AlertRule, check: Check, routeLabel: string): YamlValue[] {
  if (check.fires !== rule.labels.insight) {
    return [];
  }
  const labels: Record<string, string> = { ...rule.labels };
  if (check.route) {
    labels[routeLabel] = check.route;
  }
  if (check.target) {
    Object.assign(labels, { job: JOB, instance: INSTANCE });
  }
  return [{ exp_labels: labels, exp_annotations: { ...rule.annotations } }];
}

function testGroup(c: MetricConvention, s: Scenario, rules: AlertRule[]): YamlValue {
  return {
    name: `${c.id}: ${s.name}`,
    interval: `${s.stepMinutes}m`,
    input_series: inputSeries(c, s).map((x) => ({ series: x.series, values: x.values })),
    alert_rule_test: s.checks.flatMap((check) =>
      rules.map((rule) => ({
        eval_time: `${check.at}m`,
        alertname: rule.alert,
        exp_alerts: expectedAlerts(rule, check, c.usualLabels.route),
      }))
    ),
  };
}

describe.each(TESTED_CONVENTIONS.map((c) => [c.id, c] as const))('promtool test rules, %s', (id, c) => {
  const metric = metricForConvention(id);
  const opts = { scrapeIntervalSeconds: SCRAPE_SECONDS };
  const rules = alertRules(buildRuleGroups(metric, DEFAULT_PREFECT_SETTINGS, opts));

  it('fires each insight on its signature and nothing on the decoys', async () => {
    const rulesFile = `${id}.rules.yml`;
    writeFileSync(join(work, rulesFile), rulesYaml(metric, DEFAULT_PREFECT_SETTINGS, opts));
    const checked = await promtool(['check', 'rules', rulesFile]);
    expect(checked.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(checked.code).toBe(0);

    // One file per evaluation cadence: promtool evaluates every rule at every step, and the multi-day trend
    // scenario at one-minute steps would take most of the test's time for nothing.
    for (const step of [...new Set([...MUST_FIRE, ...DECOYS].map((s) => s.stepMinutes))]) {
      const testFile = `${id}.${step}m.test.yml`;
      const doc: YamlValue = {
        rule_files: [rulesFile],
        evaluation_interval: `${step}m`,
        tests: [...MUST_FIRE, ...DECOYS].filter((s) => s.stepMinutes === step).map((s) => testGroup(c, s, rules)),
      };
      writeFileSync(join(work, testFile), toYaml(doc));
      const result = await promtool(['test', 'rules', testFile]);
      // promtool prints every failing group with the alerts it expected and got.
      expect(result.out).toMatch(/SUCCESS/);
      expect(result.code).toBe(0);
    }
  });
});
