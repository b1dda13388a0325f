/// <reference lib="dom" />
/**
 * vega-embed, loaded as a classic script from the vega-embed package (/web/vendor/…). Charts
 * are drawn as SVG, with vega's expression interpreter (no eval, so the page's CSP holds).
 */
export interface View {
  toImageURL(type: 'svg' | 'png', scale?: number): Promise<string>;
  finalize(): void;
}

type Embed = (el: HTMLElement, spec: object, opts: object) => Promise<{ view: View }>;

declare global {
  interface Window {
    vegaEmbed?: Embed;
  }
}

const views = new Map<string, View>();

/** Render a vega-lite spec into the element with this id; the view is kept for downloads. */
export async function draw(id: string, spec: object): Promise<View> {
  const embed = window.vegaEmbed;
  if (!embed) throw new Error('vega-embed did not load (/web/vendor/vega-embed.min.js)');
  views.get(id)?.finalize();
  const el = document.getElementById(id)!;
  const { view } = await embed(el, spec, { renderer: 'svg', actions: false, ast: true });
  views.set(id, view);
  return view;
}

export const viewOf = (id: string): View | null => views.get(id) ?? null;
