import { createNoticeCollector, MAX_MESSAGES_PER_KIND } from './warnings';

describe('createNoticeCollector', () => {
  it('keeps each distinct message once, warnings apart from infos', () => {
    const c = createNoticeCollector();
    c.add('partial data');
    c.add('partial data', 'warning');
    c.add('input to histogram_quantile needed to be fixed for monotonicity', 'info');
    expect(c.result()).toEqual({
      warnings: ['partial data'],
      infos: ['input to histogram_quantile needed to be fixed for monotonicity'],
    });
  });

  it('keeps at most 10 of each kind and says how many more were omitted, as Prometheus does', () => {
    const c = createNoticeCollector();
    for (let i = 0; i < 13; i++) {
      c.add(`w${i}`);
      c.add(`i${i}`, 'info');
    }
    const { warnings, infos } = c.result();
    expect(MAX_MESSAGES_PER_KIND).toBe(10);
    expect(warnings).toEqual([...Array.from({ length: 10 }, (_, i) => `w${i}`), '3 more warning annotations omitted']);
    expect(infos.at(-1)).toBe('3 more info annotations omitted');
    expect(infos).toHaveLength(11);
  });

  it("adds Prometheus's own omitted counts to its own, never showing them as messages", () => {
    const c = createNoticeCollector(2);
    c.add('a');
    c.add('5 more warning annotations omitted');
    c.add('b');
    c.add('c');
    c.add('2 more info annotations omitted', 'info');
    expect(c.result()).toEqual({
      warnings: ['a', 'b', '6 more warning annotations omitted'],
      infos: ['2 more info annotations omitted'],
    });
  });
});
