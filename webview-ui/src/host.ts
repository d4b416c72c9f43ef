import type {
  HostToPanelMessage,
  NotificationMethod,
  PanelNotifications,
  RequestMethod,
  RequestParams,
  RequestResult,
} from '../../src/core/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/**
 * The panel's one handle on the host: typed requests with promised results, typed notifications,
 * and the webview state VS Code keeps while the view is hidden or closed.
 */
export class HostClient {
  // VS Code allows one acquireVsCodeApi() per page, so everything goes through this instance.
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<NotificationMethod, Set<(params: never) => void>>();

  constructor() {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      this.receive(event.data);
    });
  }

  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const id = this.nextId++;
    return new Promise<RequestResult<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ kind: 'request', id, method, params });
    });
  }

  on<M extends NotificationMethod>(method: M, listener: (params: PanelNotifications[M]) => void): void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(listener);
  }

  /** What the panel last saved with setState, or undefined the first time it opens. */
  getState(): unknown {
    return this.api.getState();
  }

  setState(state: unknown): void {
    this.api.setState(state);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'object' || data === null || !('kind' in data)) return;
    const message = data as HostToPanelMessage;
    if (message.kind === 'response') {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(message.error));
    } else {
      for (const listener of this.listeners.get(message.method) ?? []) (listener as (p: unknown) => void)(message.params);
    }
  }
}
