// @ts-check
/**
 * Packages the built extension as tunelab-<version>.vsix with @vscode/vsce, offline. The
 * bundles already hold every runtime dependency, so node_modules is not shipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** @type {{ version: string }} */
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, `tunelab-${pkg.version}.vsix`);

for (const built of ['dist/extension.js', 'dist/cli.js', 'dist/webview/index.js']) {
  if (!existsSync(join(root, built))) {
    process.stderr.write(`package: ${built} is missing; run 'npm run build' first\n`);
    process.exit(1);
  }
}
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository',
  // The README's screenshot is a file in the package (media/), linked relatively: keep it so.
  '--no-rewrite-relative-links', '--out', out], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (r.status !== 0) process.exit(r.status ?? 1);
process.stdout.write(`${out} (${Math.round(statSync(out).size / 1024)} KiB)\n`);
