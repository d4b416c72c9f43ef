/**
 * One store for the sidecars TuneLab keeps beside a file (`dir/.tunelab/<name>.<kind>.json`:
 * provenance, verdicts, scores), used by the editor and the CLI alike. It owns the policies every
 * sidecar shares, so each kind only says how its text is read and written:
 * - a sidecar that cannot be read whole (a merge left in it, a newer version's, damaged) is never
 *   written over: the caller gets why and what to do instead;
 * - an update reads the file again first and changes what is on disk now, so what another tool
 *   wrote meanwhile is kept; updates of one sidecar in one process run one after another;
 * - every write goes aside and is renamed over (the `SidecarFiles` port does it), so a reader
 *   never sees half a file;
 * - the store remembers what it wrote, so a watcher can tell its own writes from another tool's.
 *
 * Pure: the file system comes in through `SidecarFiles` (src/host/sidecarFiles.ts over
 * vscode.workspace.fs, src/cli/sidecarFiles.ts over node:fs).
 */
import { sidecarPathFor, type SidecarUnreadable } from './sidecar';

/** The file system a store reads and writes through. Paths are the adapter's own (a path or a URI string). */
export interface SidecarFiles {
  /** The file's text, or undefined when there is no such file; throws when it is there but cannot be read. */
  read(path: string): Promise<string | undefined>;
  /** Writes the file whole: aside, then renamed over, creating its folder. */
  write(path: string, text: string): Promise<void>;
}

/** How one kind of sidecar is read and written. */
export interface SidecarFormat<T> {
  /** Names the file: `<name>.<kind>.json`. */
  readonly kind: string;
  /**
   * What a sidecar's text holds (undefined: there is no file yet, so an empty value). `unreadable`
   * says why it cannot be read whole; `problem`, what was skipped in one that can.
   */
  parse(text: string | undefined): SidecarParse<T>;
  serialize(value: T): string;
}

export interface SidecarParse<T> {
  readonly value: T;
  readonly unreadable?: SidecarUnreadable | undefined;
  readonly problem?: string | undefined;
}

/**
 * A sidecar as read: its value, or why it cannot be read whole. `path` is the sidecar's own.
 * One that cannot be read whole still shows what could be read (`partial`, absent when the file
 * could not be read at all, and then `error` is what the file system threw): for showing and for
 * reuse, never for writing back.
 */
export type SidecarRead<T> =
  | { readonly ok: true; readonly path: string; readonly value: T; readonly problem: string | undefined; readonly exists: boolean }
  | {
    readonly ok: false;
    readonly path: string;
    readonly unreadable: SidecarUnreadable;
    readonly partial?: { readonly value: T; readonly problem: string | undefined };
    readonly error?: unknown;
  };

/** The outcome of an update: the value now on disk, or why nothing was written. */
export type SidecarUpdate<T> =
  | { readonly ok: true; readonly path: string; readonly value: T }
  | { readonly ok: false; readonly path: string; readonly unreadable: SidecarUnreadable };

export class SidecarStore {
  /** The text this store last wrote to each sidecar. */
  /**
   * The last texts this store wrote to each sidecar, newest last: a watcher's event can arrive
   * after a later write has begun, and the file then still holds an earlier one of them.
   */
  private readonly written = new Map<string, string[]>();
  /** The update under way for each sidecar, so updates in this process never interleave. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly files: SidecarFiles) {}

  /** Where a file's sidecar of this kind is. */
  pathFor(filePath: string, format: Pick<SidecarFormat<unknown>, 'kind'>): string {
    return sidecarPathFor(filePath, format.kind);
  }

  /** Reads a file's sidecar now. A file that cannot be read at all is unreadable, with why. */
  async read<T>(filePath: string, format: SidecarFormat<T>): Promise<SidecarRead<T>> {
    const path = this.pathFor(filePath, format);
    let text: string | undefined;
    try {
      text = await this.files.read(path);
    } catch (e) {
      return { ok: false, path, unreadable: { reason: `could not be read (${messageOf(e)})`, fix: 'Check the file and its permissions' }, error: e };
    }
    const parsed = format.parse(text);
    if (parsed.unreadable !== undefined) return { ok: false, path, unreadable: parsed.unreadable, partial: { value: parsed.value, problem: parsed.problem } };
    return { ok: true, path, value: parsed.value, problem: parsed.problem, exists: text !== undefined };
  }

  /**
   * Changes a file's sidecar: read again now, changed, written whole. One that cannot be read
   * whole is left as it is, and so is everything when the write fails: the answer says why.
   */
  update<T>(filePath: string, format: SidecarFormat<T>, change: (onDisk: T) => T): Promise<SidecarUpdate<T>> {
    const path = this.pathFor(filePath, format);
    const previous = this.queues.get(path) ?? Promise.resolve();
    const next = previous.then(() => this.updateNow(filePath, format, change), () => this.updateNow(filePath, format, change));
    this.queues.set(path, next);
    void next.finally(() => {
      if (this.queues.get(path) === next) this.queues.delete(path);
    }).catch(() => undefined);
    return next;
  }

  private async updateNow<T>(filePath: string, format: SidecarFormat<T>, change: (onDisk: T) => T): Promise<SidecarUpdate<T>> {
    const read = await this.read(filePath, format);
    if (!read.ok) return { ok: false, path: read.path, unreadable: read.unreadable };
    const value = change(read.value);
    const text = format.serialize(value);
    try {
      this.remember(read.path, text);
      await this.files.write(read.path, text);
    } catch (e) {
      this.forget(read.path, text);
      return { ok: false, path: read.path, unreadable: { reason: `could not be written (${messageOf(e)})`, fix: 'Check the folder and its permissions' } };
    }
    return { ok: true, path: read.path, value };
  }

  /**
   * Whether a sidecar changed on disk is someone else's change: false while its text is what this
   * store last wrote there (a watcher's event for the store's own write), true otherwise.
   */
  async changedByOthers(sidecarPath: string): Promise<boolean> {
    const mine = this.written.get(sidecarPath);
    if (mine === undefined) return true;
    try {
      const text = await this.files.read(sidecarPath);
      return text === undefined || !mine.includes(text);
    } catch {
      return true;
    }
  }

  private remember(path: string, text: string): void {
    const texts = this.written.get(path) ?? [];
    texts.push(text);
    if (texts.length > RECENT_WRITES) texts.shift();
    this.written.set(path, texts);
  }

  private forget(path: string, text: string): void {
    const texts = this.written.get(path);
    if (texts === undefined) return;
    const at = texts.lastIndexOf(text);
    if (at >= 0) texts.splice(at, 1);
    if (texts.length === 0) this.written.delete(path);
  }
}

/** How many of a sidecar's own writes the store still recognizes on disk. */
const RECENT_WRITES = 4;

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
