// The few pieces of HTML the plugin writes itself (annotation text, which Grafana renders as sanitized HTML). Every
// value is escaped here, once; markup comes only from the fixed element helpers below. No @grafana import: the core
// runs in Node and the CLI.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or a quoted attribute value: the five characters that can start or end markup become entities. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** HTML that this module built: only these helpers make one, so a raw string can never pass for markup. */
export interface Html {
  readonly html: string;
}

export type HtmlPart = Html | string | number;

function part(p: HtmlPart): string {
  return typeof p === 'object' ? p.html : escapeHtml(p);
}

/** An element from a fixed tag name; its content escaped unless it is already Html. */
export function el(tag: 'b' | 'code' | 'div' | 'li' | 'ul' | 'span', ...content: HtmlPart[]): Html {
  return { html: `<${tag}>${content.map(part).join('')}</${tag}>` };
}

/** A link to one of the plugin's own pages: only a path on this Grafana (`/…`, not `//host`) is accepted. */
export function link(href: string, ...content: HtmlPart[]): Html {
  if (!/^\/(?!\/)/.test(href)) {
    throw new RangeError(`link(): only same-origin paths are written as links, got ${JSON.stringify(href)}`);
  }
  return { html: `<a href="${escapeHtml(href)}">${content.map(part).join('')}</a>` };
}

export function join(parts: HtmlPart[], separator: HtmlPart = ''): Html {
  return { html: parts.map(part).join(part(separator)) };
}
