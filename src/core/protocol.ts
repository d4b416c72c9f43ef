/**
 * The Prompt Lab webview protocol: one type map per direction. The webview imports this file for
 * its types only (the lint enforces it), so it holds no values.
 *
 * Panel → host: requests `{ kind: 'request', id, method, params }`, answered by one response.
 * Host → panel: responses, and notifications `{ kind: 'notification', method, params }`.
 */

/** What the panel needs to draw itself, sent in answer to `panel/ready`. */
export interface Bootstrap {
  readonly version: string;
  /** Whether the workspace is trusted; untrusted workspaces make no network calls. */
  readonly trusted: boolean;
}

/** The only commands a panel may ask the host to run. */
export type PanelCommand = 'tunelab.getStarted' | 'tunelab.showLog';

/** Requests the panel sends to the host: `method: [params, result]`. */
export interface HostRequests {
  'panel/ready': [null, Bootstrap];
  'command/run': [{ readonly command: PanelCommand }, null];
}

/** Notifications the host sends to the panel: `method: params`. */
export interface PanelNotifications {
  'trust/changed': { readonly trusted: boolean };
}

export type RequestMethod = keyof HostRequests;
export type RequestParams<M extends RequestMethod> = HostRequests[M][0];
export type RequestResult<M extends RequestMethod> = HostRequests[M][1];
export type NotificationMethod = keyof PanelNotifications;

export type RequestMessage = {
  [M in RequestMethod]: { readonly kind: 'request'; readonly id: number; readonly method: M; readonly params: RequestParams<M> };
}[RequestMethod];

export type ResponseMessage =
  | { readonly kind: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly ok: false; readonly error: string };

export type NotificationMessage = {
  [M in NotificationMethod]: { readonly kind: 'notification'; readonly method: M; readonly params: PanelNotifications[M] };
}[NotificationMethod];

export type HostToPanelMessage = ResponseMessage | NotificationMessage;
