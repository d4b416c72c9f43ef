/**
 * The files around a dataset that configure its lint: the project's `tunelab.jsonc` (found from
 * the current directory upwards, or named with --config) and the JumpStart `template.json`
 * beside each dataset file.
 */
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseProjectConfig, type ConfigLayer } from '../core/lint/config';
import type { FormatContext } from '../core/lint/types';
import { parseTemplate } from '../core/formats/template';

export const PROJECT_CONFIG_FILE = 'tunelab.jsonc';
export const TEMPLATE_FILE = 'template.json';

/** The nearest `tunelab.jsonc` in `start` or a folder above it, up to the filesystem root. */
export function findProjectConfig(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, PROJECT_CONFIG_FILE);
    if (isFile(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A path as the user should see it: relative to `cwd` when it is inside it. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export type ProjectConfig =
  | { readonly ok: true; readonly layer: ConfigLayer; readonly problems: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** Reads and parses a project configuration file; problems in it are returned, not thrown. */
export async function readProjectConfig(file: string, cwd: string): Promise<ProjectConfig> {
  const shown = displayPath(file, cwd);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, message: `cannot read the configuration file ${shown} (${errorText(e)}). Check the path given to --config.` };
  }
  const { layer, problems } = parseProjectConfig(text.startsWith('\uFEFF') ? text.slice(1) : text, shown);
  return { ok: true, layer, problems };
}

export interface TemplateContext {
  readonly context: FormatContext;
  /** Set when a template.json is there but unusable: names the file and says what to fix. */
  readonly problem?: string;
  /** True when a usable template gave the JumpStart instruction keys. */
  readonly found: boolean;
}

/**
 * Reads the JumpStart `template.json` beside datasets, once per folder. No template is no
 * problem (the default keys instruction, context and response apply).
 */
export class TemplateReader {
  private readonly byDir = new Map<string, Promise<TemplateContext>>();

  constructor(private readonly cwd: string) {}

  forDataset(datasetFile: string): Promise<TemplateContext> {
    const dir = path.dirname(path.resolve(datasetFile));
    let p = this.byDir.get(dir);
    if (p === undefined) {
      p = this.read(path.join(dir, TEMPLATE_FILE));
      this.byDir.set(dir, p);
    }
    return p;
  }

  private async read(file: string): Promise<TemplateContext> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { context: {}, found: false };
      return { context: {}, found: false, problem: `${displayPath(file, this.cwd)}: cannot be read (${errorText(e)}); the default JumpStart keys (instruction, context, response) are used. Make the file readable, or remove it.` };
    }
    const parsed = parseTemplate(text.startsWith('\uFEFF') ? text.slice(1) : text);
    if (parsed.ok) return { context: parsed.ctx, found: parsed.ctx.templateKeys !== undefined };
    return { context: {}, found: false, problem: `${displayPath(file, this.cwd)}: ${parsed.message}` };
  }
}

export function errorText(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return e instanceof Error ? e.message : String(e);
}
