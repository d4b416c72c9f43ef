import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';

/**
 * The bundles under dist/ that are evaluated in this extension host, by file name: Node's own
 * module cache, so a bundle loaded by any path (require, import()) counts. What activation has
 * loaded is read from here at its end (the activation test reads it back).
 */
export function bundlesInMemory(extensionUri: vscode.Uri): string[] {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist').fsPath;
  return Object.keys(require.cache)
    .filter((path) => dirname(path) === dist && path.endsWith('.js'))
    .map((path) => basename(path))
    .sort();
}

// Held as a value so the call is plainly Node's own require, resolved at run time, not a module
// esbuild should bundle; the extension host's require also hands a bundle the `vscode` module.
const nodeRequire: NodeJS.Require = require;

/**
 * Loads dist/<name>.js, a feature's own bundle, the first time it is used. It is CommonJS like
 * extension.js, so a plain require evaluates it once and Node keeps it. A bundle that is missing
 * or does not export what `check` wants is an error that names the file.
 */
export function loadBundle<T>(extensionUri: vscode.Uri, name: string, check: (mod: unknown) => T | undefined): Promise<T> {
  const path = join(vscode.Uri.joinPath(extensionUri, 'dist').fsPath, `${name}.js`);
  return Promise.resolve().then(() => {
    const mod: unknown = nodeRequire(path);
    const value = check(mod);
    if (value === undefined) throw new Error(`${path} does not export what TuneLab expects; rebuild the extension (npm run build).`);
    return value;
  });
}
