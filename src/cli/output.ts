/**
 * Buffered output for large reports: text is collected and written in batches, and a caller can
 * ask whether the stream wants it to wait (backpressure) before producing more.
 */

/** What the writer needs of a stream; `process.stdout` is one. */
export interface OutStream {
  write(chunk: string, callback?: (err?: Error | null) => void): boolean;
  once(event: 'drain', listener: () => void): unknown;
  readonly isTTY?: boolean;
}

/** A stream over a plain write function (no backpressure to report). */
export function functionStream(write: (text: string) => void): OutStream {
  return {
    write(chunk, callback) {
      write(chunk);
      callback?.();
      return true;
    },
    once: () => undefined,
  };
}

const BATCH_CHARS = 64 * 1024;

export class BufferedOutput {
  private chunks: string[] = [];
  private size = 0;
  private draining: Promise<void> | undefined;

  constructor(private readonly stream: OutStream, private readonly batch = BATCH_CHARS) {}

  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= this.batch) this.flush();
  }

  /** True while the stream has more than it wants: stop producing until `drained()` resolves. */
  get blocked(): boolean {
    return this.draining !== undefined;
  }

  /** Resolves once the stream has taken what it was given (at once when it is not blocked). */
  drained(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  flush(): void {
    if (this.size === 0) return;
    const text = this.chunks.length === 1 ? (this.chunks[0] as string) : this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (!this.stream.write(text) && this.draining === undefined) {
      this.draining = new Promise((resolve) => {
        this.stream.once('drain', () => {
          this.draining = undefined;
          resolve();
        });
      });
    }
  }

  /** Writes what is left and resolves once the stream has accepted all of it. */
  async end(): Promise<void> {
    const text = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    await this.drained();
    if (text === '') return;
    await new Promise<void>((resolve) => {
      this.stream.write(text, () => { resolve(); });
    });
  }
}

/** Joins `items` with commas into lines of at most `width` characters, continued at `indent`. */
export function wrapList(items: readonly string[], indent: number, width = 92): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line}, ${item}`;
    if (indent + next.length > width && line !== '') {
      lines.push(`${line},`);
      line = item;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}
