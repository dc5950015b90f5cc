// The files `docker compose up` reads, checked by the tools that read them: Debian's docker-compose (1.29) parses and
// interpolates docker-compose.yaml, promtool loads the Prometheus config and its rule files, and the Grafana
// provisioning files are held against what the plugin needs. No container runs here (no Docker engine).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import appPlugin from '../../plugin.json';
import { DATASOURCE_TYPE, PLUGIN_ID } from '../../src/constants';
import { findExecutable } from '../harness/localServer';
import { findPrometheusBinaries } from '../harness/prometheus';

const ROOT = join(__dirname, '..', '..');
const RULES_FILE = 'prefect-insights.rules.yml';

function compose(...args: string[]) {
  const bin = findExecutable('docker-compose');
  if (!bin) {
    throw new Error('docker-compose not found: apt-get install docker-compose (Debian), as .ci/run does');
  }
  return spawnSync(bin, ['-f', join(ROOT, 'docker-compose.yaml'), ...args], { cwd: ROOT, encoding: 'utf8' });
}

interface ComposeService {
  volumes?: Array<string | { source: string; target: string }>;
  profiles?: string[];
  network_mode?: string;
}

function mounts(service: ComposeService): Array<{ source: string; target: string }> {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') {
      return { source: v.source, target: v.target };
    }
    const [source, target] = v.split(':');
    return { source, target };
  });
}

describe('docker-compose.yaml', () => {
  it.each([[[] as string[]], [['--profile', 'prefect']]])('is valid for docker-compose config -q %j', (profile) => {
    const r = compose(...profile, 'config', '-q');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('the check can fail: a service with an unknown key is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'services:\n  x:\n    image: busybox\n    imagee: typo\n');
      const r = spawnSync(findExecutable('docker-compose')!, ['-f', join(dir, 'bad.yaml'), 'config', '-q'], {
        encoding: 'utf8',
      });
      expect(r.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const config = () =>
    parse(compose('--profile', 'prefect', 'config').stdout) as { services: Record<string, ComposeService> };

  it('mounts the built plugin and the provisioning into Grafana', () => {
    const grafana = mounts(config().services.grafana);
    expect(grafana).toEqual(
      expect.arrayContaining([
        { source: join(ROOT, 'dist'), target: `/var/lib/grafana/plugins/${PLUGIN_ID}` },
        { source: join(ROOT, 'provisioning'), target: '/etc/grafana/provisioning' },
      ])
    );
  });

  it('gives Prometheus its config and the generated rules beside it', () => {
    const prometheus = mounts(config().services.prometheus);
    expect(prometheus).toEqual(
      expect.arrayContaining([
        { source: join(ROOT, 'provisioning/prometheus/prometheus.yml'), target: '/etc/prometheus/prometheus.yml' },
        { source: join(ROOT, 'provisioning/prometheus/rules'), target: '/etc/prometheus/rules' },
      ])
    );
  });
});

describe('provisioning/prometheus', () => {
  // docker-compose.yaml runs prom/prometheus:v3.16.0 (its `otlp:` block is unknown to 2.x), so the config is
  // checked by the promtool of the same release, built by tools/prometheus3/build.sh.
  const promtool = () => findPrometheusBinaries('prometheus3').promtool;

  it('promtool accepts the config as it is in the repository (with the rules, when generated)', () => {
    const out = execFileSync(promtool(), ['check', 'config', join(ROOT, 'provisioning/prometheus/prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/SUCCESS/);
  });

  it(`rule_files picks up rules/${RULES_FILE}, where \`prefect-insights rules\` writes it`, () => {
    // A copy of the config beside a minimal rule file of that name: promtool must find and load exactly that file.
    const dir = mkdtempSync(join(tmpdir(), 'prom-config-'));
    try {
      cpSync(join(ROOT, 'provisioning/prometheus/prometheus.yml'), join(dir, 'prometheus.yml'));
      mkdirSync(join(dir, 'rules'));
      writeFileSync(
        join(dir, 'rules', RULES_FILE),
        'groups:\n  - name: probe\n    rules:\n      - alert: Probe\n        expr: vector(1) > 2\n'
      );
      const out = execFileSync(promtool(), ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(out).toContain(RULES_FILE);
      expect(out).toMatch(/SUCCESS: 1 rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('provisioning/ for Grafana', () => {
  const read = (path: string) => parse(readFileSync(join(ROOT, 'provisioning', path), 'utf8'));

  it('provisions a Prometheus data source and ours on top of it, by uid', () => {
    const { datasources } = read('datasources/datasources.yaml') as {
      datasources: Array<{ uid: string; type: string; jsonData?: { prometheusUid?: string } }>;
    };
    const prometheus = datasources.filter((d) => d.type === 'prometheus');
    const ours = datasources.filter((d) => d.type === DATASOURCE_TYPE);
    expect(prometheus.length).toBeGreaterThan(0);
    expect(ours.length).toBeGreaterThan(0);
    for (const d of ours) {
      expect(prometheus.map((p) => p.uid)).toContain(d.jsonData?.prometheusUid);
    }
  });

  it('enables the app, which makes Grafana import the three dashboards its plugin.json includes', () => {
    const { apps } = read('plugins/apps.yaml') as { apps: Array<{ type: string; disabled?: boolean }> };
    expect(apps).toContainEqual(expect.objectContaining({ type: PLUGIN_ID, disabled: false }));
    const dashboards = appPlugin.includes.filter((i) => i.type === 'dashboard');
    expect(dashboards).toHaveLength(3);
  });
});
