/** @jest-environment node */
import {
  CATALOG,
  DETECTABLE_INSIGHT_IDS,
  getCommand,
  getErrorSignature,
  getInsight,
  getParameter,
  getReference,
  INSIGHTS,
} from './catalog';

describe('catalog', () => {
  it('holds the seed counts: 11 insights, 6 parameters, 13 error signatures, 5 commands, 25 references', () => {
    expect(INSIGHTS).toHaveLength(11);
    expect(CATALOG.parameters).toHaveLength(6);
    expect(CATALOG.errorSignatures).toHaveLength(13);
    expect(CATALOG.commands).toHaveLength(5);
    expect(CATALOG.references).toHaveLength(25);
  });

  it('marks exactly the two insights invisible in server latency as not detectable', () => {
    expect(
      INSIGHTS.filter((i) => !i.detectable)
        .map((i) => i.id)
        .sort()
    ).toEqual(['connection-reset', 'k8s-worker-pod-overhead']);
    expect(DETECTABLE_INSIGHT_IDS).toHaveLength(9);
  });

  it.each(INSIGHTS.map((i) => [i.id, i] as const))('%s links only to items that exist', (_id, insight) => {
    for (const name of insight.parameters) {
      expect(getParameter(name)).toBeDefined();
    }
    for (const text of insight.errorSignatures) {
      expect(getErrorSignature(text)).toBeDefined();
    }
    for (const command of insight.commands) {
      expect(getCommand(command)).toBeDefined();
    }
    for (const name of insight.references) {
      expect(getReference(name)).toBeDefined();
    }
    expect(insight.signature.length).toBeGreaterThan(20);
  });

  it('uses every seed item in at least one insight, so nothing in the catalog is unreachable from an annotation', () => {
    const used = (pick: (i: (typeof INSIGHTS)[number]) => string[]) => new Set(INSIGHTS.flatMap(pick));
    expect(CATALOG.parameters.map((p) => p.name).filter((n) => !used((i) => i.parameters).has(n))).toEqual([]);
    expect(CATALOG.errorSignatures.map((s) => s.text).filter((t) => !used((i) => i.errorSignatures).has(t))).toEqual(
      []
    );
    expect(CATALOG.commands.map((c) => c.command).filter((c) => !used((i) => i.commands).has(c))).toEqual([]);
    expect(CATALOG.references.map((r) => r.name).filter((n) => !used((i) => i.references).has(n))).toEqual([]);
  });

  it('gives every parameter its Prefect setting and a change line that carries the value', () => {
    for (const p of CATALOG.parameters) {
      const detail = getParameter(p.name)!;
      expect(detail.setting.length).toBeGreaterThan(0);
      expect(detail.change('42')).toContain('42');
    }
  });

  it('rejects an unknown insight id loudly', () => {
    expect(() => getInsight('nope' as never)).toThrow(/Unknown insight id/);
  });
});
