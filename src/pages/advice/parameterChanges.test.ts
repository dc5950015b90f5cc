/** @jest-environment node */
import { CATALOG } from '../../catalog/catalog';
import type { ConfigurationParameter } from '../../catalog/types';
import { API_URL_PLACEHOLDER, changeSnippets } from './parameterChanges';

const byName = (name: string): ConfigurationParameter => {
  const p = CATALOG.parameters.find((x) => x.name === name);
  if (!p) {
    throw new Error(`catalog lacks ${name}`);
  }
  return p;
};

describe('changeSnippets', () => {
  it('gives an environment line and prefect-server Helm values for a server pool setting', () => {
    const snippets = changeSnippets(byName('server.database.sqlalchemy.pool_size'));
    expect(snippets.map((s) => s.kind)).toEqual(['env', 'helm']);
    expect(snippets[0].text).toBe('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE=60');
    expect(snippets[1].text).toContain('server:\n  env:\n    - name: PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE');
    expect(snippets[1].text).toContain('value: "60"');
  });

  it('puts client settings on the worker chart', () => {
    const [env, helm] = changeSnippets(byName('PREFECT_API_REQUEST_TIMEOUT'));
    expect(env.text).toBe('PREFECT_API_REQUEST_TIMEOUT=60');
    expect(helm.text).toMatch(/^worker:\n {2}extraEnvVars:/);
  });

  it('uses a visible placeholder for PREFECT_API_URL, which has no recommended value', () => {
    const [env, helm] = changeSnippets(byName('PREFECT_API_URL'));
    expect(env.text).toBe(`PREFECT_API_URL=${API_URL_PLACEHOLDER}`);
    expect(helm.text).toContain(`apiUrl: ${API_URL_PLACEHOLDER}`);
  });

  it('gives SQL, not an environment variable, for autovacuum_analyze_scale_factor', () => {
    const snippets = changeSnippets(byName('autovacuum_analyze_scale_factor'));
    expect(snippets).toHaveLength(1);
    expect(snippets[0].kind).toBe('sql');
    expect(snippets[0].text).toMatch(/ALTER TABLE \w+ SET \(autovacuum_analyze_scale_factor = 0\.02\);/);
  });

  it('takes another value when asked', () => {
    const [env] = changeSnippets(byName('server.database.sqlalchemy.pool_timeout'), '45');
    expect(env.text).toBe('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT=45');
  });

  it('has at least one snippet for every catalog parameter', () => {
    for (const p of CATALOG.parameters) {
      expect(changeSnippets(p).length).toBeGreaterThan(0);
    }
  });

  it('returns nothing for a parameter the catalog does not know', () => {
    expect(changeSnippets({ name: 'nope', recommended: '1', description: '' })).toEqual([]);
  });
});
