// @ts-check
/**
 * Installs the code-server builds TuneLab is tested against into the per-user cache (once per
 * version; later runs find them there).
 * Usage: node scripts/install-code-server.mjs [VERSION ...]   (no version: the matrix, narrowed
 * by TUNELAB_CODE_SERVER when it is set)
 */
import { ensureCodeServer, log, MATRIX, selectedMatrix } from './code-server.mjs';

const args = process.argv.slice(2);
const entries = args.length ? MATRIX.filter((m) => args.includes(m.codeServer)) : selectedMatrix();
if (args.length && entries.length !== args.length) {
  log(`unknown version in ${args.join(' ')}; the matrix is ${MATRIX.map((m) => m.codeServer).join(', ')}`);
  process.exit(2);
}
try {
  for (const m of entries) {
    const cs = ensureCodeServer(m);
    process.stdout.write(`${cs.version}\t${cs.entry}\n`);
  }
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
