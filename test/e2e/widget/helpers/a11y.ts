import type { Frame, Page } from 'playwright-core';

/**
 * WCAG AA contrast of every piece of text the widget shows now: the text colour against the first
 * opaque background behind it (up through the shadow root to the page), at least 4.5:1. Returns the
 * texts that fall short, with their ratio.
 */
export async function contrastProblems(page: Page | Frame, selector: string): Promise<string[]> {
  return page.evaluate((hostSelector) => {
    const host = document.querySelector(hostSelector);
    const root = host?.shadowRoot;
    if (!host || !root) return [`no widget at ${hostSelector}`];
    const parse = (value: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(value);
      if (!m) return [0, 0, 0, 0];
      const [r, g, b, a] = m[1]!
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [r!, g!, b!, a === undefined ? 1 : a];
    };
    const luminance = ([r, g, b]: number[]) => {
      const c = [r!, g!, b!].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    };
    const background = (el: Element | null): number[] => {
      for (
        let e: Element | null = el;
        e;
        e = e.parentElement ?? (e.getRootNode() as ShadowRoot).host ?? null
      ) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] >= 0.99) return bg;
        if (e === document.documentElement) break;
      }
      return [255, 255, 255, 1];
    };
    const problems: string[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      const el = node.parentElement;
      if (!text || !el) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || box.width <= 1 || box.height <= 1) continue;
      if (el.closest('dialog') && !el.closest('dialog')!.open) continue;
      const fg = parse(style.color);
      const l1 = luminance(fg);
      const l2 = luminance(background(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      if (ratio < 4.5) problems.push(`${text.slice(0, 40)}: ${ratio.toFixed(2)}`);
    }
    return problems;
  }, selector);
}
