import * as vscode from 'vscode';
import type { HostToPanelMessage, NotificationMethod, PanelNotifications, RequestMethod, RequestParams, RequestResult } from '../core/protocol';
import { checkRequest } from '../core/protocolValidation';

export type RequestHandlers = {
  readonly [M in RequestMethod]: (params: RequestParams<M>) => Promise<RequestResult<M>> | RequestResult<M>;
};

/**
 * The host's end of the webview protocol: every incoming message is validated before a handler
 * sees it, every request gets exactly one response, and a handler's failure becomes an error
 * response rather than an unhandled rejection.
 */
export class WebviewMessenger implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly handlers: RequestHandlers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = webview.onDidReceiveMessage((message: unknown) => void this.receive(message));
  }

  notify<M extends NotificationMethod>(method: M, params: PanelNotifications[M]): void {
    // A correlated union TypeScript cannot follow through the generic: method and params match by M.
    this.post({ kind: 'notification', method, params } as HostToPanelMessage);
  }

  private async receive(message: unknown): Promise<void> {
    const check = checkRequest(message);
    if (!check.ok) {
      this.log.warn(`webview message refused: ${check.error}`);
      if (check.id !== undefined) this.post({ kind: 'response', id: check.id, ok: false, error: check.error });
      return;
    }
    const { id, method, params } = check.request;
    try {
      // The map is keyed by method, so the params checked for `method` fit its handler.
      const handler = this.handlers[method] as (p: typeof params) => Promise<unknown>;
      const result = await handler(params);
      this.post({ kind: 'response', id, ok: true, result: result ?? null });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.log.error(`webview request '${method}' failed: ${error}`);
      this.post({ kind: 'response', id, ok: false, error });
    }
  }

  private post(message: HostToPanelMessage): void {
    void this.webview.postMessage(message).then(undefined, (err: unknown) => {
      this.log.debug(`webview message not delivered (panel closed?): ${String(err)}`);
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
