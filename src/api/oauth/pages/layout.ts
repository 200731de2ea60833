/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Marks a fragment as already-escaped HTML. */
export interface Html {
  readonly html: string;
}

/** Template tag: interpolated values are escaped unless they are `Html`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    const parts = Array.isArray(value) ? value : [value];
    out += parts.map((part) => (isHtml(part) ? part.html : escapeHtml(part))).join('');
    out += strings[i + 1]!;
  });
  return { html: out };
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && 'html' in value;
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;background:#f5f5f5;color:#222}
main{max-width:26rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:8px;box-shadow:0 1px 3px #0003}
h1{font-size:1.5rem;margin-top:0}label{display:block;margin-top:1rem;font-weight:600}
input,select{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;margin-top:.25rem;border:1px solid #888;border-radius:4px}
button{font-size:1rem;padding:.7rem 1.2rem;margin:1.2rem .5rem 0 0;border:0;border-radius:4px;background:#1a5fb4;color:#fff;cursor:pointer}
button.secondary{background:#e0e0e0;color:#222}.error{color:#a51d2d;font-weight:600}
.code{font:700 1.6rem monospace;letter-spacing:.1em;text-align:center}`;

/** A complete page: readable on a phone, no scripts. */
export function page(title: string, body: Html): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · evbook</title>
<style>${STYLE}</style>
</head>
<body><main>
${body.html}
</main></body>
</html>`;
}

/** A paragraph with an error message, or nothing. */
export function errorLine(message: string | undefined): Html {
  return message ? html`<p class="error" role="alert">${message}</p>` : { html: '' };
}
