// @ts-check
/**
 * Installs the pinned moto (the AWS emulator the AWS tests run against) into the per-user cache,
 * once; later runs find it there. Usage: node scripts/install-moto.mjs
 */
import { ensureMoto } from './moto.mjs';

try {
  const moto = ensureMoto();
  process.stdout.write(`moto ${moto.version}\t${moto.pythonPath}\n`);
} catch (err) {
  process.stderr.write(`[moto] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
