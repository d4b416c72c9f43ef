import * as vscode from 'vscode';
import type { Disposal, TuneLabContext } from '../host/context';
import { loadBundle } from '../host/lazyBundle';

export type { Disposal };

/** What a feature bundle's `start` returns: everything it registered, disposed with the extension. */
export interface FeatureHandle {
  readonly disposables: readonly Disposal[];
}

/**
 * A feature bundle (dist/<name>.js, built from src/features/<name>.ts): started with the context
 * and `local`, the objects of its own that activation made for it (generation: the topics tree view).
 */
export interface FeatureModule<L, H extends FeatureHandle> {
  start(ctx: TuneLabContext, local: L): H;
}

export interface LazyFeatureOptions<L> {
  /** The bundle's name: dist/<name>.js. */
  readonly bundle: string;
  /** What a user calls it in a message: `the judge`. */
  readonly title: string;
  /** The commands the bundle registers: stand-ins are registered for them until it loads. */
  readonly commands: readonly string[];
  readonly ctx: TuneLabContext;
  readonly local: L;
}

function isFeatureModule<L, H extends FeatureHandle>(mod: unknown): mod is FeatureModule<L, H> {
  return typeof mod === 'object' && mod !== null && typeof (mod as { start?: unknown }).start === 'function';
}

/**
 * A feature whose code is its own bundle, evaluated on first use instead of at activation. Its
 * commands exist from the start as stand-ins: the first call loads the bundle, which registers
 * the real commands under the same ids (the stand-ins are disposed first), and the call is
 * passed on to them with its arguments. Providers that must exist from the start are shells
 * (below) that load the feature when they are first really asked for something.
 */
export class LazyFeature<L, H extends FeatureHandle> implements vscode.Disposable {
  private shims: Disposal[] = [];
  private loading: Promise<H> | undefined;
  private handle: H | undefined;
  private disposed = false;
  private readonly loaded = new vscode.EventEmitter<H>();
  /** Fires once, when the bundle has loaded and started. */
  readonly onDidLoad = this.loaded.event;

  constructor(private readonly options: LazyFeatureOptions<L>) {
    this.registerShims();
  }

  /** The started feature, once it has loaded. */
  get current(): H | undefined {
    return this.handle;
  }

  /** Loads and starts the feature once; a failed load is tried again on the next call. */
  ready(): Promise<H> {
    const { ctx } = this.options;
    this.loading ??= loadBundle(ctx.extensionUri, this.options.bundle, (mod) => (isFeatureModule<L, H>(mod) ? mod : undefined))
      .then((mod) => {
        if (this.disposed) throw new Error('TuneLab is shutting down.');
        // The bundle registers these ids itself: the stand-ins must be gone first.
        for (const shim of this.shims) shim.dispose();
        this.shims = [];
        let handle: H;
        try {
          handle = mod.start(ctx, this.options.local);
        } catch (err) {
          this.registerShims();
          throw err;
        }
        this.handle = handle;
        ctx.log.info(`Loaded ${this.options.title} (dist/${this.options.bundle}.js) on first use.`);
        this.loaded.fire(handle);
        return handle;
      })
      .catch((err: unknown) => {
        this.loading = undefined;
        throw err;
      });
    return this.loading;
  }

  /** Loads the feature in the background; a failure is logged and shown, never thrown. */
  load(): void {
    void this.readyOrReport();
  }

  /** `ready()`, with a failure logged and shown instead of thrown: undefined then. */
  async readyOrReport(): Promise<H | undefined> {
    try {
      return await this.ready();
    } catch (err) {
      this.report(err);
      return undefined;
    }
  }

  report(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const { log } = this.options.ctx;
    log.error(`Loading ${this.options.title} (dist/${this.options.bundle}.js): ${message}`);
    void vscode.window.showErrorMessage(`TuneLab: ${this.options.title} could not be loaded: ${message}`, 'Show Log')
      .then((choice) => { if (choice !== undefined) log.show(); });
  }

  dispose(): void {
    this.disposed = true;
    for (const shim of this.shims) shim.dispose();
    this.shims = [];
    for (const d of this.handle?.disposables ?? []) d.dispose();
    this.loaded.dispose();
  }

  private registerShims(): void {
    const { ctx } = this.options;
    for (const id of this.options.commands) {
      try {
        // No trust gate here: the real command, under the same id, has its own.
        this.shims.push(ctx.commands.registerCommand(id, async (...args: unknown[]) => {
          if (await this.readyOrReport() === undefined) return undefined;
          return vscode.commands.executeCommand(id, ...args);
        }));
      } catch (err) {
        // After a failed start, the bundle may have registered this id already: it stays.
        ctx.log.warn(`Loading ${this.options.title}: ${id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

/** Forwards a provider's change event once the feature has loaded. */
function forward<H extends FeatureHandle, E>(feature: LazyFeature<unknown, H>, event: (h: H) => vscode.Event<E>, emitter: vscode.EventEmitter<E>): Disposal {
  let inner: Disposal | undefined;
  const outer = feature.onDidLoad((h) => {
    inner = event(h)((e) => { emitter.fire(e); });
  });
  return { dispose: () => { outer.dispose(); inner?.dispose(); } };
}

/** A CodeLens provider registered at activation that loads its feature for the first document it applies to. */
export class LazyCodeLens<H extends FeatureHandle> implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly forwarding: Disposal;

  constructor(
    private readonly feature: LazyFeature<unknown, H>,
    private readonly applies: (document: vscode.TextDocument) => boolean,
    private readonly real: (h: H) => vscode.CodeLensProvider & { readonly onDidChangeCodeLenses: vscode.Event<void> },
  ) {
    this.forwarding = forward(feature, (h) => real(h).onDidChangeCodeLenses, this.changed);
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.applies(document)) return [];
    const h = await this.feature.readyOrReport();
    return h === undefined ? [] : (await this.real(h).provideCodeLenses(document, token)) ?? [];
  }

  dispose(): void {
    this.forwarding.dispose();
    this.changed.dispose();
  }
}

/** A tree registered at activation that loads its feature when the view first asks for its items. */
export class LazyTreeData<T, H extends FeatureHandle> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly forwarding: Disposal;

  constructor(
    private readonly feature: LazyFeature<unknown, H>,
    private readonly real: (h: H) => vscode.TreeDataProvider<T> & { readonly onDidChangeTreeData: vscode.Event<T | undefined> },
  ) {
    this.forwarding = forward(feature, (h) => real(h).onDidChangeTreeData, this.changed);
  }

  async getChildren(node?: T): Promise<T[]> {
    const h = await this.feature.readyOrReport();
    return h === undefined ? [] : (await this.real(h).getChildren(node)) ?? [];
  }

  getTreeItem(node: T): vscode.TreeItem | Thenable<vscode.TreeItem> {
    // Every node came from the loaded feature's getChildren.
    const h = this.feature.current;
    if (h === undefined) throw new Error('the view asked for an item before its items were listed');
    return this.real(h).getTreeItem(node);
  }

  dispose(): void {
    this.forwarding.dispose();
    this.changed.dispose();
  }
}

/** A webview view registered at activation that loads its feature when the view is first shown. */
export class LazyWebviewView<H extends FeatureHandle> implements vscode.WebviewViewProvider {
  constructor(private readonly feature: LazyFeature<unknown, H>, private readonly real: (h: H) => vscode.WebviewViewProvider) {}

  async resolveWebviewView(view: vscode.WebviewView, context: vscode.WebviewViewResolveContext, token: vscode.CancellationToken): Promise<void> {
    const h = await this.feature.readyOrReport();
    if (h === undefined) {
      view.webview.html = '<!DOCTYPE html><html><body><p>TuneLab could not load this view: see TuneLab: Show Log.</p></body></html>';
      return;
    }
    await this.real(h).resolveWebviewView(view, context, token);
  }
}
