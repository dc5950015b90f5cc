/** @jest-environment node */
import { el, escapeHtml, join, link } from './html';

describe('escapeHtml', () => {
  it('escapes the five characters that can open or close markup or an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;'
    );
  });

  it('leaves other text alone, including non-ASCII', () => {
    expect(escapeHtml('/flow_runs/{id}/set_state ≥ 10 s')).toBe('/flow_runs/{id}/set_state ≥ 10 s');
  });

  it('returns nothing a browser would parse as a tag or entity-free quote, for any string', () => {
    // Exhaustive over a small alphabet of the dangerous characters and their neighbours.
    const alphabet = ['<', '>', '&', '"', "'", 'a', '/', '=', ' '];
    for (const a of alphabet) {
      for (const b of alphabet) {
        for (const c of alphabet) {
          const out = escapeHtml(a + b + c);
          expect(out).not.toMatch(/[<>"']/);
          expect(out.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
        }
      }
    }
  });
});

describe('element helpers', () => {
  it('escapes plain content and keeps nested Html', () => {
    expect(el('li', el('code', '<img src=x>'), ' ok').html).toBe('<li><code>&lt;img src=x&gt;</code> ok</li>');
  });

  it('joins with an escaped separator', () => {
    expect(join(['a<', el('b', 'c')], ', ').html).toBe('a&lt;, <b>c</b>');
  });

  it('writes same-origin links only, with the href escaped', () => {
    expect(link('/a/app/advice?insight=x&y="z"', 'Advice').html).toBe(
      '<a href="/a/app/advice?insight=x&amp;y=&quot;z&quot;">Advice</a>'
    );
    expect(() => link('javascript:alert(1)', 'x')).toThrow(RangeError);
    expect(() => link('//evil.example/', 'x')).toThrow(RangeError);
    expect(() => link('https://evil.example/', 'x')).toThrow(RangeError);
  });
});
