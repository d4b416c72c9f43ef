import * as vscode from 'vscode';
import type { EndpointBackends } from '../endpoints/backends';

let loading: Promise<EndpointBackends> | undefined;

/** Loads dist/endpoints.js (the model clients) on first use; a failed load is tried again next time. */
export function loadEndpointBackends(extensionUri: vscode.Uri): Promise<EndpointBackends> {
  loading ??= (async () => {
    const path = vscode.Uri.joinPath(extensionUri, 'dist', 'endpoints.js').fsPath;
    const mod = (await import(path)) as { backends?: EndpointBackends; default?: { backends?: EndpointBackends } };
    const backends = mod.backends ?? mod.default?.backends;
    if (backends === undefined) throw new Error(`${path} does not export the endpoint backends`);
    return backends;
  })().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
