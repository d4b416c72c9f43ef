/**
 * What the commands that call model endpoints (`tunelab generate`, `tunelab judge`) share:
 * reading the endpoints (the editor's `tunelab.endpoints`, from a JSON or JSONC file, the VS Code
 * user settings by default), keys from the environment only and only where they belong
 * (endpointKeys.ts), masking those keys (and their prefixes, and `headers` values) in everything
 * printed, escaping control characters in it, Ctrl+C handling, and writing files whole.
 */
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Ask } from '../core/generate/index';
import { parseEndpoints, type EndpointConfig } from '../endpoints/config';
import { createEndpoint } from '../endpoints/factory';
import { askThrough } from '../endpoints/generateRun';
import { readJumpStartTemplate, type JumpStartTemplate } from '../endpoints/sagemaker/payloads';
import { Scheduler, type SchedulerOptions } from '../endpoints/scheduler';
import type { CliIo } from './cli';
import { chooseKey } from './endpointKeys';
import { displayPath, errorText } from './projectConfig';
import { printable } from './reporters';

export { keyVariable } from './endpointKeys';

/** The exit code of a run stopped by Ctrl+C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** A mistake of the user's (flags, files, endpoints): printed as its message, exit code 2. */
export class UsageError extends Error {}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

type Env = Readonly<Record<string, string | undefined>>;

/** The VS Code user settings file of the platform, when the environment says where home is. */
export function userSettingsPath(env: Env, platform: NodeJS.Platform): string | undefined {
  const set = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  if (platform === 'win32') {
    const appData = set('APPDATA');
    return appData === undefined ? undefined : path.win32.join(appData, 'Code', 'User', 'settings.json');
  }
  const home = set('HOME');
  if (platform === 'darwin') return home === undefined ? undefined : path.posix.join(home, 'Library', 'Application Support', 'Code', 'User', 'settings.json');
  const config = set('XDG_CONFIG_HOME') ?? (home === undefined ? undefined : path.posix.join(home, '.config'));
  return config === undefined ? undefined : path.posix.join(config, 'Code', 'User', 'settings.json');
}

/** 1-based line and column (UTF-16 units) of an offset into `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** The raw `tunelab.endpoints` value of an endpoints file: the list itself, or a settings object holding it. */
function endpointsOf(text: string, shown: string): Outcome<unknown> {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(source, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineColumn(source, first.offset);
    return { ok: false, message: `${shown}:${line}:${column}: the file is not valid JSON (${printParseErrorCode(first.error)}). Fix it, or name another file with --endpoints.` };
  }
  if (Array.isArray(value)) return { ok: true, value };
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, 'tunelab.endpoints')) {
    return { ok: true, value: (value as Record<string, unknown>)['tunelab.endpoints'] };
  }
  return { ok: false, message: `${shown} has no endpoints: it must hold the list of endpoints, or an object with a "tunelab.endpoints" key, e.g. {"tunelab.endpoints": [{"id": "local", "kind": "openai-compatible", "url": "http://127.0.0.1:11434/v1", "model": "llama3.1:8b"}]}.` };
}

/** Reads a SageMaker endpoint's template.json (`${workspaceFolder}` is the current directory here). */
async function templateOf(config: EndpointConfig, cwd: string): Promise<Outcome<JumpStartTemplate | undefined>> {
  if (config.template === undefined) return { ok: true, value: undefined };
  const file = path.resolve(cwd, config.template.replace('${workspaceFolder}', cwd));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, message: `endpoint "${config.id}": its template ${displayPath(file, cwd)} cannot be read (${errorText(e)}). Fix its "template" path, or remove it to use JumpStart's built-in instruction template (what "payload": "auto" sends when "model" names no Instruct or chat model, and "jumpstart-text" always).` };
  }
  const parsed = readJumpStartTemplate(text);
  return parsed.ok ? { ok: true, value: parsed.template } : { ok: false, message: `endpoint "${config.id}": its template ${displayPath(file, cwd)}: ${parsed.message}` };
}

/** Secrets shorter than this are never masked (they would hide ordinary words). */
const MIN_SECRET = 4;
/**
 * A secret's prefix from this many characters on is masked too: servers echo a key cut short
 * (OpenAI's 401 says "Incorrect API key provided: sk-proj-********…abcd"), and error text may be
 * cut mid-key. Eight characters is about where a key stops being its vendor's common prefix.
 */
const MIN_PREFIX = 8;

/** `text` with every run of `secret`'s first `MIN_PREFIX` or more characters replaced by `***`. */
function maskPrefixes(text: string, secret: string): string {
  const head = secret.slice(0, MIN_PREFIX);
  let at = text.indexOf(head);
  if (at < 0) return text;
  let out = '';
  let from = 0;
  while (at >= 0) {
    let n = head.length;
    while (n < secret.length && text[at + n] === secret[n]) n++;
    out += `${text.slice(from, at)}***`;
    from = at + n;
    at = text.indexOf(head, from);
  }
  return out + text.slice(from);
}

/**
 * Masks the secrets in text that is printed: each whole, and any prefix of one from
 * `MIN_PREFIX` characters on (the list may grow after this is made).
 */
export function masker(secrets: readonly string[]): (text: string) => string {
  return (text) => [...new Set(secrets.filter((s) => s.length >= MIN_SECRET))]
    .sort((a, b) => b.length - a.length)
    .reduce((t, s) => (s.length >= MIN_PREFIX ? maskPrefixes(t, s) : t.split(s).join('***')), text);
}

/**
 * Output text with every control character but the line feed escaped, as `tunelab lint` prints
 * data (`printable`): a topic, an endpoint name or a model's words cannot move the cursor,
 * recolour or retitle the terminal, and the command's own lines are kept.
 */
export function printableLines(text: string): string {
  return text.includes('\n') ? text.split('\n').map(printable).join('\n') : printable(text);
}

/** The commands' own terminal control (the judge's progress line): written as is, never from data. */
export interface TerminalControl {
  readonly err: (text: string) => void;
}

/**
 * Runs a command's body with output that masks every key it collects in `secrets` and escapes
 * every control character but the line feed (a topic, an endpoint name or a model's text can hold
 * ESC sequences; lines are kept); any error it throws is printed (masked too) as
 * `tunelab <command>: …` and gives exit code 2. `control` writes the command's own cursor
 * movements, unescaped.
 */
export async function runMasked(command: string, io: CliIo, body: (io: CliIo, secrets: string[], control: TerminalControl) => Promise<number>): Promise<number> {
  const secrets: string[] = [];
  const mask = masker(secrets);
  const safeIo: CliIo = { ...io, out: (t) => { io.out(printableLines(mask(t))); }, err: (t) => { io.err(printableLines(mask(t))); } };
  try {
    return await body(safeIo, secrets, { err: (t) => { io.err(t); } });
  } catch (e) {
    // Printed here rather than thrown, so that even an unexpected error's text is masked.
    const text = e instanceof UsageError ? e.message : `unexpected error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
    safeIo.err(`tunelab ${command}: ${text}\n`);
    return 2;
  }
}

/** A text file's content without its BOM; a file that cannot be read is a usage error. */
export async function readText(file: string, shown: string, what: string): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const hint = code === 'ENOENT' ? ' Check the path (it is relative to the current directory).' : '';
    throw new UsageError(`cannot read the ${what} ${shown}: ${errorText(e)}.${hint}`);
  }
}

export function isFileError(e: unknown, ...codes: string[]): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && codes.includes(code);
}

/** Writes through a temporary file and a rename, so the file is never seen half-written. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}-${Date.now().toString(36)}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}

export interface Interrupt {
  /** Aborted by the first Ctrl+C (or the test's signal). */
  readonly signal: AbortSignal;
  /** Stops listening; call it when the run is over. */
  readonly dispose: () => void;
}

/**
 * Listens for the first Ctrl+C (or `testSignal`, when given: the process's SIGINT is then left
 * alone), which calls `onStop` and aborts. The listener is removed at once, so a second Ctrl+C
 * ends the process the usual way.
 */
export function interruptible(testSignal: AbortSignal | undefined, onStop: () => void): Interrupt {
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) return;
    onStop();
    controller.abort();
  };
  const onSigint = (): void => {
    process.off('SIGINT', onSigint);
    stop();
  };
  if (testSignal === undefined) process.on('SIGINT', onSigint);
  else if (testSignal.aborted) controller.abort();
  else testSignal.addEventListener('abort', stop, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      testSignal?.removeEventListener('abort', stop);
    },
  };
}

export interface EndpointSetupOptions {
  /** The endpoints file named by --endpoints; the VS Code user settings when undefined. */
  readonly file: string | undefined;
  readonly cwd: string;
  readonly env: Env;
  /** The platform whose VS Code settings file is the default endpoints file. */
  readonly platform: NodeJS.Platform;
  /** Overrides of every endpoint's scheduler options (tests shorten the backoffs). */
  readonly scheduler: SchedulerOptions | undefined;
  readonly warn: (message: string) => void;
  /** Each key found is added, so that output can mask it. */
  readonly secrets: string[];
}

export interface OpenedEndpoint {
  readonly config: EndpointConfig;
  /** Whole replies through the endpoint's own scheduler, its default parameters under the request's. */
  readonly ask: Ask;
}

/** The endpoints `ids` name, with their keys; a missing file, endpoint or key is a usage error. */
export async function openEndpoints(ids: readonly string[], o: EndpointSetupOptions): Promise<Map<string, OpenedEndpoint>> {
  const { cwd, env } = o;
  let file: string;
  if (o.file !== undefined) {
    file = path.resolve(cwd, o.file);
  } else {
    const settings = userSettingsPath(env, o.platform);
    if (settings === undefined || !(await stat(settings).then((s) => s.isFile(), () => false))) {
      throw new UsageError(`no endpoints file: pass --endpoints <file>, a JSON file with your tunelab.endpoints (the list, or a settings.json that has it)${settings === undefined ? '' : `; there is no VS Code user settings file at ${settings}`}.`);
    }
    file = settings;
  }
  const shown = displayPath(file, cwd);
  const raw = endpointsOf(await readText(file, shown, 'endpoints file'), shown);
  if (!raw.ok) throw new UsageError(raw.message);
  const { endpoints, problems } = parseEndpoints(raw.value);
  for (const p of problems) o.warn(`${shown}: ${p}`);
  const configs = [...new Set(ids)].map((id) => {
    const config = endpoints.find((e) => e.id === id);
    if (config === undefined) {
      const known = endpoints.length === 0 ? `${shown} declares no usable endpoint` : `the endpoints in ${shown} are ${endpoints.map((e) => e.id).join(', ')}`;
      throw new UsageError(`no endpoint "${id}": ${known}.`);
    }
    return config;
  });
  const opened = new Map<string, OpenedEndpoint>();
  for (const config of configs) {
    const choice = chooseKey(config, env, endpoints, shown);
    if (choice.problem !== undefined) throw new UsageError(choice.problem);
    if (choice.warning !== undefined) o.warn(choice.warning);
    const key = choice.key;
    if (key !== undefined) o.secrets.push(key);
    // A gateway's header can carry a token too: its value, and each word of it (`Bearer <token>`).
    for (const value of Object.values(config.headers ?? {})) o.secrets.push(value, ...value.split(/\s+/).filter((w) => w.length >= 8));
    const template = await templateOf(config, cwd);
    if (!template.ok) throw new UsageError(template.message);
    const endpoint = createEndpoint(config, key, template.value);
    const ask = askThrough(new Scheduler({ ...config.rateLimits, ...o.scheduler }), endpoint);
    const d = config.defaults;
    // The endpoint's default parameters under the request's own, as in the editor.
    opened.set(config.id, {
      config,
      ask: (stage, messages, options) => ask(stage, messages, {
        ...options,
        ...((options.temperature ?? d.temperature) === undefined ? {} : { temperature: options.temperature ?? d.temperature }),
        ...((options.topP ?? d.topP) === undefined ? {} : { topP: options.topP ?? d.topP }),
        ...((options.maxTokens ?? d.maxTokens) === undefined ? {} : { maxTokens: options.maxTokens ?? d.maxTokens }),
      }),
    });
  }
  return opened;
}
