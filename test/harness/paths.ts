import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root, found from wherever the compiled test file runs (out/test/...). */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'samples'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no TuneLab checkout above ${start}`);
    dir = up;
  }
  return dir;
}

export const repoRoot = findRoot(resolve(__dirname));
export const resultsRoot = join(repoRoot, 'test-results');
export const samplesDir = join(repoRoot, 'samples');
