import { randomBytes } from 'node:crypto';

/** A nonce for the webview's script tag: 128 random bits, never Math.random. */
export function createNonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The CSP for every TuneLab webview: nothing by default; our one script by nonce; styles and
 * fonts only from the extension's own files. No inline script, no eval.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface WebviewPage {
  readonly title: string;
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
}

export function renderWebviewHtml(page: WebviewPage): string {
  const csp = contentSecurityPolicy(page.cspSource, page.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(page.styleUri)}">
<title>${escapeAttribute(page.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script type="module" nonce="${escapeAttribute(page.nonce)}" src="${escapeAttribute(page.scriptUri)}"></script>
</body>
</html>
`;
}
