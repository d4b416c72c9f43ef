import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Finds a file in the repository: tests run from a bundle in out/ (found from `__dirname`) or in
 * a temp folder (scripts/unit.mjs, found from the working directory).
 */
export function repoFile(relative: string): string {
  for (let dir = process.cwd(), up = resolve(__dirname); ; dir = dirname(dir)) {
    const p = join(dir, relative);
    if (existsSync(p)) return p;
    if (dirname(dir) === dir) {
      if (up === '') throw new Error(`${relative} not found`);
      dir = up;
      up = '';
    }
  }
}
