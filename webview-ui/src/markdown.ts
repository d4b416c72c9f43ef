import DOMPurify from 'dompurify';
import { Marked } from 'marked';

/**
 * Model output rendered as Markdown. The text is untrusted, so there are three walls:
 * raw HTML in the text is not HTML here (it is shown escaped, as the text it is); what marked
 * makes of the Markdown goes through DOMPurify before lit's unsafeHTML ever sees it; and the
 * page's CSP allows no inline script or style.
 *
 * Escaping raw HTML also keeps the console clean: Chrome reports a CSP violation when DOMPurify's
 * inert DOMParser document merely parses an inline handler such as onerror, although nothing runs.
 */

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const markdown = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

let hooked = false;

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    const tag = node.tagName.toLowerCase();
    if (tag === 'img') {
      // Only inline images: a remote one would be a request to a host the model chose.
      const src = node.getAttribute('src') ?? '';
      if (!src.trim().toLowerCase().startsWith('data:')) {
        const alt = node.getAttribute('alt') ?? '';
        node.replaceWith(node.ownerDocument.createTextNode(alt === '' ? '' : `[image: ${alt}]`));
      }
    } else if (tag === 'a') {
      const href = node.getAttribute('href');
      if (href !== null && !href.trim().toLowerCase().startsWith('https:')) node.removeAttribute('href');
      node.removeAttribute('target');
    }
  });
}

/** Sanitised HTML for `text` read as Markdown: no script, no style, no handlers, no remote images. */
export function renderMarkdown(text: string): string {
  installHooks();
  const html = markdown.parse(text, { async: false });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'dialog'],
    FORBID_ATTR: ['style', 'id', 'name', 'target', 'srcset'],
  });
}

/**
 * Streaming re-renders an answer on every chunk: keep the last result per card, so a card whose
 * text did not change is not parsed again.
 */
const cache = new Map<string, { readonly text: string; readonly html: string }>();

export function cachedMarkdown(key: string, text: string): string {
  const hit = cache.get(key);
  if (hit?.text === text) return hit.html;
  const html = renderMarkdown(text);
  cache.set(key, { text, html });
  return html;
}

export function clearMarkdownCache(): void {
  cache.clear();
}
