import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, createNonce, renderWebviewHtml, type WebviewPage } from '../../src/core/webview/html';

/** What VS Code passes as `webview.cspSource`. */
const CSP_SOURCE = 'https://*.vscode-cdn.net';

function page(overrides: Partial<WebviewPage> = {}): WebviewPage {
  return {
    title: 'Prompt Lab',
    cspSource: CSP_SOURCE,
    nonce: 'bm9uY2Utc2VudGluZWwtMTIz',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/index.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/index.css',
    ...overrides,
  };
}

function unescapeAttribute(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The opening tags named `tag`, each as a map of its attributes (values unescaped). */
function tags(html: string, tag: string): Map<string, string>[] {
  const found: Map<string, string>[] = [];
  for (const match of html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'gi'))) {
    const attributes = new Map<string, string>();
    for (const attr of (match[1] ?? '').matchAll(/([\w-]+)(?:="([^"]*)")?/g)) {
      const name = attr[1];
      if (name !== undefined) attributes.set(name.toLowerCase(), unescapeAttribute(attr[2] ?? ''));
    }
    found.push(attributes);
  }
  return found;
}

/** The page's CSP, read back from its meta tag, as directive → sources. */
function cspOf(html: string): Map<string, string[]> {
  const metas = tags(html, 'meta').filter((m) => m.get('http-equiv')?.toLowerCase() === 'content-security-policy');
  assert.equal(metas.length, 1, 'exactly one CSP meta tag');
  const content = metas[0]?.get('content');
  assert.ok(content !== undefined, 'the CSP meta tag has content');
  const directives = new Map<string, string[]>();
  for (const part of content.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name === undefined || name === '') continue;
    assert.ok(!directives.has(name), `directive ${name} appears once`);
    directives.set(name, sources);
  }
  return directives;
}

void describe('webview HTML', () => {
  void describe('the Content-Security-Policy', () => {
    const nonce = createNonce();
    const html = renderWebviewHtml(page({ nonce }));
    const csp = cspOf(html);

    void it("blocks everything by default: default-src 'none'", () => {
      assert.deepEqual(csp.get('default-src'), ["'none'"]);
    });

    void it('allows scripts only by the nonce: no unsafe-inline, unsafe-eval, wildcard or host', () => {
      assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
      const all = [...csp.values()].flat();
      assert.ok(!all.includes("'unsafe-inline'"), 'no unsafe-inline anywhere');
      assert.ok(!all.includes("'unsafe-eval'"), 'no unsafe-eval anywhere');
      assert.ok(!all.includes('*'), 'no bare wildcard anywhere');
    });

    void it('has no directive that would loosen script loading behind script-src', () => {
      for (const directive of ['script-src-elem', 'script-src-attr', 'worker-src', 'connect-src', 'frame-src', 'object-src']) {
        assert.ok(!csp.has(directive), `${directive} is not set, so default-src 'none' applies`);
      }
    });

    void it("takes styles and fonts only from the webview's cspSource", () => {
      assert.deepEqual(csp.get('style-src'), [CSP_SOURCE]);
      assert.deepEqual(csp.get('font-src'), [CSP_SOURCE]);
    });

    void it('renders the same policy as contentSecurityPolicy()', () => {
      const direct = contentSecurityPolicy(CSP_SOURCE, nonce);
      const meta = tags(html, 'meta').find((m) => m.get('http-equiv') === 'Content-Security-Policy');
      assert.equal(meta?.get('content'), direct);
    });
  });

  void describe('the script tag', () => {
    void it('is the only script, carries the CSP nonce and loads the given URI', () => {
      const nonce = createNonce();
      const html = renderWebviewHtml(page({ nonce }));
      const scripts = tags(html, 'script');
      assert.equal(scripts.length, 1, 'exactly one script tag');
      const script = scripts[0];
      assert.ok(script);
      assert.equal(script.get('nonce'), nonce);
      assert.equal(script.get('src'), page().scriptUri);
      assert.deepEqual(cspOf(html).get('script-src'), [`'nonce-${script.get('nonce') ?? ''}'`]);
    });

    void it('loads the stylesheet from the given URI', () => {
      const links = tags(renderWebviewHtml(page()), 'link').filter((l) => l.get('rel') === 'stylesheet');
      assert.equal(links.length, 1);
      assert.equal(links[0]?.get('href'), page().styleUri);
    });
  });

  void describe('createNonce', () => {
    void it('is base64url of 16 random bytes (128 bits)', () => {
      const nonce = createNonce();
      assert.match(nonce, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(Buffer.from(nonce, 'base64url').length, 16);
    });

    void it('differs across 1000 calls', () => {
      const nonces = new Set(Array.from({ length: 1000 }, () => createNonce()));
      assert.equal(nonces.size, 1000);
    });
  });

  void describe('escaping: a hostile URI or title cannot break out of its attribute', () => {
    const hostile = 'https://x.test/a"><script>alert(1)</script><x y=\'&amp;';

    void it('in the script src', () => {
      const html = renderWebviewHtml(page({ scriptUri: hostile }));
      assert.ok(!html.includes('"><script>alert'), 'the raw payload is not in the page');
      const scripts = tags(html, 'script');
      assert.equal(scripts.length, 1, 'no second script tag was injected');
      assert.equal(scripts[0]?.get('src'), hostile, 'the attribute reads back as the original URI');
    });

    void it('in the stylesheet href', () => {
      const html = renderWebviewHtml(page({ styleUri: hostile }));
      assert.equal(tags(html, 'script').length, 1, 'no second script tag was injected');
      const links = tags(html, 'link');
      assert.equal(links.length, 1);
      assert.equal(links[0]?.get('href'), hostile);
    });

    void it('in the title', () => {
      const html = renderWebviewHtml(page({ title: '</title><script>alert(1)</script>' }));
      assert.equal(tags(html, 'script').length, 1, 'no second script tag was injected');
      assert.ok(html.includes('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>'));
    });

    void it('in the nonce', () => {
      const html = renderWebviewHtml(page({ nonce: 'n" onload="alert(1)' }));
      const scripts = tags(html, 'script');
      assert.equal(scripts.length, 1);
      assert.ok(!scripts[0]?.has('onload'), 'no event handler attribute was injected');
    });
  });
});
