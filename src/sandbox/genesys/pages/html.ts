/** Escapes text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A tagged template whose interpolations are escaped, except values already wrapped by `raw`. */
export interface Html {
  readonly html: string;
}

export function raw(html: string): Html {
  return { html };
}

export function html(strings: TemplateStringsArray, ...values: (string | number | Html | Html[])[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const part = Array.isArray(v)
      ? v.map((h) => h.html).join('')
      : typeof v === 'object'
        ? v.html
        : escapeHtml(String(v));
    out += part + (strings[i + 1] ?? '');
  });
  return { html: out };
}

/** A whole page: no inline script or style, so the page's CSP can forbid both. */
export function page(options: { title: string; styles: string[]; scripts?: string[]; body: Html }): string {
  return `<!doctype html>\n${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title}</title>
        <link rel="icon" href="data:," />
        ${options.styles.map((href) => html`<link rel="stylesheet" href="${href}" />`)}
        ${(options.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
      </head>
      <body>
        ${options.body}
      </body>
    </html> `.html
  }`;
}
