import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type {
  Bootstrap,
  NotificationMethod,
  PanelNotifications,
  RequestMessage,
  RequestMethod,
  RequestParams,
} from '../../src/core/protocol';
import { createNonce, renderWebviewHtml } from '../../src/core/webview/html';

/**
 * A test bench for the Prompt Lab webview: the built app, served over HTTP under the page and CSP
 * the host really renders, with a scripted host in place of VS Code's `acquireVsCodeApi`.
 */

/** Where the built webview lives: `<cwd>/dist/webview`, or TUNELAB_WEBVIEW_DIST. */
export function webviewDist(): string {
  const dir = resolve(process.env.TUNELAB_WEBVIEW_DIST ?? join(process.cwd(), 'dist', 'webview'));
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(
      `No built webview at ${dir} (index.js is missing). Build it first: ` +
        'npx vite build --config webview-ui/vite.config.mts (or npm run build), or point TUNELAB_WEBVIEW_DIST at a build.',
    );
  }
  return dir;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface AssetServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves the page at `/` and the build's files by name, on 127.0.0.1 at a free port. */
export async function startAssetServer(dir: string): Promise<AssetServer> {
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') {
      const html = renderWebviewHtml({
        title: 'Prompt Lab',
        cspSource: origin,
        nonce: createNonce(),
        scriptUri: `${origin}/index.js`,
        styleUri: `${origin}/index.css`,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    // Only files directly in the build folder, by their base name.
    const file = join(dir, basename(decodeURIComponent(path)));
    const type = TYPES[extname(file)];
    if (type === undefined || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => {
          done();
        });
      }),
  };
}

/** A reply the scripted host gives to one request method. */
export type Reply = { readonly result: unknown } | { readonly error: string };

export interface PanelOptions {
  /** The answer to `panel/ready`; null never answers. */
  readonly bootstrap: Bootstrap | null;
  /** What `getState()` returns at start. */
  readonly state?: unknown;
  /** Replies by method; a method not listed gets `null`. */
  readonly replies?: Partial<Record<RequestMethod, Reply>>;
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** A dark theme's worth of the variables VS Code sets on a webview. */
const THEME: Readonly<Record<string, string>> = {
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': 'monospace',
  '--vscode-editor-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-errorForeground': '#f85149',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-textBlockQuote-background': '#2b2b2b',
  '--vscode-textBlockQuote-border': '#616161',
  '--vscode-textCodeBlock-background': '#2b2b2b',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-sideBar-background': '#181818',
};

/**
 * Runs in the page before its own script: the scripted host. It records every message the panel
 * posts (as JSON, the way VS Code carries them), answers requests from the replies it was given,
 * keeps the webview state where the test can read it, and notes any CSP violation.
 */
const HOST_SCRIPT = String.raw`
(() => {
  const config = window.__panelConfig;
  window.__sent = [];
  window.__state = config.state === undefined ? undefined : JSON.parse(JSON.stringify(config.state));
  window.__replies = config.replies;
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '') + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber);
  });
  const post = (message) => setTimeout(() => window.postMessage(message, '*'), 0);
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called once');
    acquired = true;
    return {
      postMessage(message) {
        const copy = JSON.parse(JSON.stringify(message));
        window.__sent.push(copy);
        if (copy.kind !== 'request') return;
        if (copy.method === 'panel/ready') {
          if (config.bootstrap !== null) post({ kind: 'response', id: copy.id, ok: true, result: config.bootstrap });
          return;
        }
        const reply = window.__replies[copy.method];
        if (reply && 'error' in reply) post({ kind: 'response', id: copy.id, ok: false, error: reply.error });
        else post({ kind: 'response', id: copy.id, ok: true, result: reply ? reply.result : null });
      },
      getState() {
        return window.__state === undefined ? undefined : JSON.parse(JSON.stringify(window.__state));
      },
      setState(state) {
        window.__state = JSON.parse(JSON.stringify(state));
        return state;
      },
    };
  };
  // VS Code sets its theme variables on <html> (through CSSOM, which the CSP allows) and shows
  // the view on the side bar's background.
  const theme = () => {
    const root = document.documentElement;
    for (const [name, value] of Object.entries(config.theme)) root.style.setProperty(name, value);
    root.style.setProperty('background-color', 'var(--vscode-sideBar-background)');
  };
  if (document.documentElement) theme();
  else document.addEventListener('DOMContentLoaded', theme);
})();
`;

/** The scripted host's globals, as the page functions below see them (they run in the page, so they name globalThis themselves). */
interface PageGlobals {
  __sent: RequestMessage[];
  __state: unknown;
  __replies: Partial<Record<string, Reply>>;
  __csp: string[];
  __pwned?: unknown;
  postMessage(message: unknown, target: string): void;
}

export async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 40));
    }
  }
}

export class PanelPage {
  /** Console errors, page errors and CSP violations seen so far. */
  readonly problems: string[] = [];

  private constructor(readonly page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (err) => {
      this.problems.push(`page error: ${err.message}`);
    });
  }

  /** Opens the panel in a fresh page of `context` (one context per test file keeps this quick). */
  static async open(context: BrowserContext, server: AssetServer, options: PanelOptions): Promise<PanelPage> {
    const page = await context.newPage();
    await page.setViewportSize(options.viewport ?? { width: 1200, height: 900 });
    const panel = new PanelPage(page);
    const config = { bootstrap: options.bootstrap, state: options.state, replies: options.replies ?? {}, theme: THEME };
    await page.addInitScript({ content: `window.__panelConfig = ${JSON.stringify(config)};\n${HOST_SCRIPT}` });
    await page.goto(`${server.origin}/`);
    await page.locator('[data-testid="version"]').waitFor();
    if (options.bootstrap !== null) {
      await page.locator('[data-testid="version"]', { hasText: `TuneLab ${options.bootstrap.version}` }).waitFor();
    }
    return panel;
  }

  /** Closes the page; returns what went wrong in it: console errors, page errors, CSP violations. */
  async close(): Promise<string[]> {
    const csp = await this.page.evaluate(() => (globalThis as unknown as PageGlobals).__csp);
    await this.page.close();
    return [...this.problems, ...csp.map((v) => `CSP violation: ${v}`)];
  }

  byTestId(id: string): Locator {
    return this.page.locator(`[data-testid="${id}"]`);
  }

  /** The native input inside a vscode-textarea or vscode-textfield (its open shadow root). */
  field(id: string): Locator {
    return this.page.locator(`[data-testid="${id}"] textarea, [data-testid="${id}"] input`).first();
  }

  /** Types into a vscode-textarea or vscode-textfield the way a user does. */
  async fill(id: string, text: string): Promise<void> {
    await this.field(id).fill(text);
  }

  /**
   * The fallback where typing is not possible: sets a vscode-element's `value` and fires what a
   * user's edit fires (input and change, bubbling out of the component).
   */
  async setValue(id: string, value: string): Promise<void> {
    await this.byTestId(id).evaluate((el: unknown, v: string) => {
      type EventCtor = new (type: string, init: { bubbles: boolean; composed: boolean }) => unknown;
      const target = el as { value: string; dispatchEvent(event: unknown): boolean };
      const EventClass = (globalThis as unknown as { Event: EventCtor }).Event;
      target.value = v;
      target.dispatchEvent(new EventClass('input', { bubbles: true, composed: true }));
      target.dispatchEvent(new EventClass('change', { bubbles: true, composed: true }));
    }, value);
  }

  async value(id: string): Promise<string> {
    return this.field(id).inputValue();
  }

  async text(id: string): Promise<string> {
    return (await this.byTestId(id).textContent()) ?? '';
  }

  async isDisabled(id: string): Promise<boolean> {
    return (await this.byTestId(id).getAttribute('disabled')) !== null;
  }

  async sent(): Promise<RequestMessage[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).__sent);
  }

  async requests<M extends RequestMethod>(method: M): Promise<RequestParams<M>[]> {
    return (await this.sent()).filter((m) => m.method === method).map((m) => m.params as RequestParams<M>);
  }

  /** Waits until `count` requests of `method` were sent, and returns them all. */
  async waitForRequests<M extends RequestMethod>(method: M, count = 1): Promise<RequestParams<M>[]> {
    let seen: RequestParams<M>[] = [];
    await eventually(async () => {
      seen = await this.requests(method);
      assert.ok(seen.length >= count, `expected ${count} ${method} request(s), saw ${seen.length}`);
    });
    return seen;
  }

  async state(): Promise<unknown> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).__state);
  }

  async setReply(method: RequestMethod, reply: Reply): Promise<void> {
    await this.page.evaluate(([m, r]) => {
      (globalThis as unknown as PageGlobals).__replies[m] = r;
    }, [method, reply] as const);
  }

  async notify<M extends NotificationMethod>(method: M, params: PanelNotifications[M]): Promise<void> {
    await this.page.evaluate((message) => {
      (globalThis as unknown as PageGlobals).postMessage(message, '*');
    }, { kind: 'notification', method, params });
  }

  async pwned(): Promise<unknown> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned);
  }
}
