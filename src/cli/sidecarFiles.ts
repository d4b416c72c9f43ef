import { readFile } from 'node:fs/promises';
import { SidecarStore, type SidecarFiles } from '../core/sidecarStore';
import { isFileError, writeAtomically } from './endpointSetup';

/** The sidecar store's file system in the CLI: node:fs, paths as given on the command line. */
export const nodeSidecarFiles: SidecarFiles = {
  async read(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if (isFileError(e, 'ENOENT', 'ENOTDIR')) return undefined;
      throw e;
    }
  },
  write: writeAtomically,
};

/** A store over the local file system, for one CLI run. */
export function nodeSidecars(): SidecarStore {
  return new SidecarStore(nodeSidecarFiles);
}
