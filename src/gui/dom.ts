/** A child of an element: text (always set as text, never parsed as HTML), a node, or nothing. */
export type Child = string | number | Node | null | undefined | false;

type Attrs = Record<string, string | number | boolean | ((ev: Event) => void) | undefined>;

function append(el: Element, children: readonly Child[]): Element {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** An HTML element. Names, tags and every other value from the API go in as text nodes only. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element. */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** A table with a header row; `rows` of cells. */
export function table(headers: readonly string[], rows: readonly (readonly Child[])[], testId?: string): HTMLTableElement {
  return h(
    'table',
    testId ? { 'data-testid': testId } : {},
    h('thead', {}, h('tr', {}, ...headers.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...(rows.length === 0 ? [h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, 'none'))] : rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c)))))),
  );
}

export function badge(text: string, kind: 'ok' | 'bad' | 'warn' | 'off'): HTMLSpanElement {
  return h('span', { class: `badge ${kind}` }, text);
}

export const link = (href: string, text: string): HTMLAnchorElement => h('a', { href }, text);
