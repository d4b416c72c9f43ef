import * as vscode from 'vscode';
import { SidecarStore, type SidecarFiles } from '../core/sidecarStore';
import { writeAtomically } from './writeAtomically';

/**
 * The sidecar store's file system in the editor: vscode.workspace.fs, so sidecars work in any
 * workspace VS Code can open (remote, virtual). Paths are URI strings (`uri.toString()`):
 * `SidecarStore.pathFor` puts `.tunelab/` beside the file's last `/` in them.
 */
export const workspaceSidecarFiles: SidecarFiles = {
  async read(path) {
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(path, true)));
    } catch (e) {
      if (e instanceof vscode.FileSystemError && (e.code === 'FileNotFound' || e.code === 'FileNotADirectory')) return undefined;
      throw e;
    }
  },
  async write(path, text) {
    await writeAtomically(vscode.Uri.parse(path, true), new TextEncoder().encode(text));
  },
};

/** The editor's sidecar store, with watchers that report only other tools' changes. */
export class WorkspaceSidecars extends SidecarStore {
  constructor() {
    super(workspaceSidecarFiles);
  }

  /** The sidecar of a file, as a URI. */
  uriFor(file: vscode.Uri, kind: string): vscode.Uri {
    return vscode.Uri.parse(this.pathFor(file.toString(), { kind }), true);
  }

  /**
   * Calls `listener` with a sidecar's URI when a sidecar of this kind is created, changed or
   * deleted on disk by anything but this store (the CLI, git, another window).
   */
  watch(kind: string, listener: (sidecar: vscode.Uri) => void): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/.tunelab/*.${kind}.json`);
    const changed = (uri: vscode.Uri): void => {
      void this.changedByOthers(uri.toString()).then((others) => { if (others) listener(uri); });
    };
    // A delete goes through the same check: a write aside and renamed over can reach a watcher as
    // the file deleted and created again, and a sidecar still holding this store's text is no
    // other tool's deletion.
    return vscode.Disposable.from(watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed));
  }
}
