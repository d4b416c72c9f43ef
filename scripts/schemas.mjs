// @ts-check
/**
 * Writes the lint configuration schemas that the manifest points at, from the rule catalog:
 * schemas/tunelab.schema.json (for tunelab.jsonc) and the properties of the tunelab.lint.rules
 * and tunelab.dataset.format settings in package.json. test/unit/lint-schemas.test.ts fails
 * until they are regenerated after a rule or format changes.
 * Usage: node scripts/schemas.mjs
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { nodeBundle } from './esbuild-node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'tunelab-schemas-'));
try {
  const out = join(dir, 'config.js');
  await esbuild.build({
    ...nodeBundle, entryPoints: [join(root, 'src/core/lint/config.ts')], outfile: out,
  });
  /** @type {{ projectConfigSchema(): unknown; rulesSchema(): { properties: unknown } }} */
  const config = createRequire(import.meta.url)(out);
  mkdirSync(join(root, 'schemas'), { recursive: true });
  writeFileSync(join(root, 'schemas/tunelab.schema.json'), `${JSON.stringify(config.projectConfigSchema(), null, 2)}\n`);

  const pkgPath = join(root, 'package.json');
  /** @type {{ contributes: { configuration: { properties: Record<string, { properties?: unknown; enum?: unknown }> }[] } }} */
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const project = /** @type {{ properties: { format: { enum: unknown } } }} */ (config.projectConfigSchema());
  for (const section of pkg.contributes.configuration) {
    const rules = section.properties['tunelab.lint.rules'];
    if (rules !== undefined) rules.properties = config.rulesSchema().properties;
    const format = section.properties['tunelab.dataset.format'];
    if (format !== undefined) format.enum = project.properties.format.enum;
  }
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  process.stdout.write('wrote schemas/tunelab.schema.json and the lint settings in package.json\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
