/**
 * What `tunelab lint` reads a path as: a regular file as a stream of chunks; a pipe (a named
 * pipe, process substitution `<(…)`, `/dev/stdin` when data is piped in) once a program is
 * writing to it; anything else (a directory, a device, a socket) refused with what to name
 * instead. Nothing here can wait forever: opening a named pipe the usual way blocks until a
 * writer comes, and a pipe no program writes to is given up after `PIPE_WRITER_WAIT_MS`.
 */
import { closeSync, constants, open as openCallback, readSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorText } from './projectConfig';

/** How long a pipe may go without a writer before it is reported: long enough for a writer started just before or after tunelab to open it. */
export const PIPE_WRITER_WAIT_MS = 2000;

const CHUNK_BYTES = 256 * 1024;

export interface Source {
  readonly chunks: AsyncIterable<Uint8Array>;
  /**
   * A regular file's bytes `[start, start + length)`, read again (a pipe's are gone): undefined
   * for a pipe, or when the file is shorter now.
   */
  readonly readAt?: (start: number, length: number) => Uint8Array | undefined;
  close(): Promise<void>;
}

export type OpenedSource = { readonly ok: true; readonly source: Source } | { readonly ok: false; readonly message: string };

/** Opens `file` for reading (`shown` is how messages name it). */
export async function openSource(file: string, shown: string, writerWaitMs = PIPE_WRITER_WAIT_MS): Promise<OpenedSource> {
  let info: Stats;
  try {
    info = await stat(file); // never blocks, whatever the path is
  } catch (e) {
    return cannotRead(e, shown);
  }
  if (info.isDirectory()) {
    return { ok: false, message: `${shown} is a directory. Name the dataset files in it, e.g. ${path.join(shown, '*.jsonl')}.` };
  }
  if (info.isFIFO()) return openPipe(file, shown, writerWaitMs);
  // A parent process may hand over its pipe as a socket (Node's child_process does): a socket
  // cannot be opened by path, but the descriptor the path names is already open.
  const fd = info.isSocket() ? descriptorOf(file) : undefined;
  if (fd !== undefined) return { ok: true, source: socketSource(new Socket({ fd, readable: true, writable: false }), new Uint8Array(0)) };
  if (!info.isFile()) {
    const what = info.isCharacterDevice() ? 'a device (a terminal, or one like /dev/zero that never ends)' : info.isBlockDevice() ? 'a block device' : 'a socket';
    return { ok: false, message: `${shown} is ${what}, not a dataset file. Name a .jsonl file, or pipe the data in: <command> | tunelab lint /dev/stdin.` };
  }
  try {
    const handle = await open(file, 'r');
    const stream = handle.createReadStream({ autoClose: false, highWaterMark: CHUNK_BYTES });
    // A positioned read (pread) leaves the descriptor's offset, which the stream reads from, alone.
    const readAt = (start: number, length: number): Uint8Array | undefined => {
      const out = Buffer.allocUnsafe(length);
      try {
        return readSync(handle.fd, out, 0, length, start) === length ? out : undefined;
      } catch {
        return undefined;
      }
    };
    return { ok: true, source: { chunks: stream, readAt, close: async () => { stream.destroy(); await handle.close(); } } };
  } catch (e) {
    return cannotRead(e, shown);
  }
}

function cannotRead(e: unknown, shown: string): OpenedSource {
  const code = (e as { code?: unknown }).code;
  const hint = code === 'ENOENT' ? 'Check the path (it is relative to the current directory).' : 'Check the file\'s permissions.';
  return { ok: false, message: `cannot read ${shown}: ${errorText(e)}. ${hint}` };
}

/**
 * A pipe is opened without blocking (O_NONBLOCK always succeeds for reading), then probed: a
 * read returns data, or EAGAIN while a writer holds the pipe open with nothing written yet, or
 * 0 when no writer has it open (POSIX read(2), "When attempting to read from an empty pipe or
 * FIFO"; https://pubs.opengroup.org/onlinepubs/9799919799/functions/read.html). Once there is a
 * writer the pipe is read as a socket handle, which waits for data through the event loop.
 */
async function openPipe(file: string, shown: string, writerWaitMs: number): Promise<OpenedSource> {
  let fd: number;
  try {
    fd = await new Promise<number>((resolve, reject) => {
      openCallback(file, constants.O_RDONLY | constants.O_NONBLOCK, (err, opened) => { if (err) reject(err); else resolve(opened); });
    });
  } catch (e) {
    return cannotRead(e, shown);
  }
  const probe = Buffer.alloc(CHUNK_BYTES);
  const deadline = Date.now() + writerWaitMs;
  let first = 0;
  try {
    for (;;) {
      try {
        first = readSync(fd, probe, 0, probe.length, null);
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'EAGAIN') throw e;
        break; // a writer, with nothing written yet
      }
      if (first > 0) break;
      if (Date.now() >= deadline) {
        closeSync(fd);
        return { ok: false, message: `nothing is writing to ${shown}, a pipe: no program opened it for writing within ${writerWaitMs / 1000} s (or the one that did closed it without writing). Start the program that writes to it first (<command> > ${shown} &), or pipe its output in: <command> | tunelab lint /dev/stdin.` };
      }
      await sleep(50);
    }
  } catch (e) {
    closeSync(fd);
    return cannotRead(e, shown);
  }
  return { ok: true, source: socketSource(new Socket({ fd, readable: true, writable: false }), probe.subarray(0, first)) };
}

/** What was read already (`head`), then the socket's data. */
function socketSource(socket: Socket, head: Uint8Array): Source {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    for await (const chunk of socket) yield chunk as Uint8Array;
  }
  return { chunks: chunks(), close: () => { socket.destroy(); return Promise.resolve(); } };
}

/** The descriptor a path of the process's own descriptors names: /dev/stdin, /dev/fd/N, /proc/self/fd/N. */
function descriptorOf(file: string): number | undefined {
  if (file === '/dev/stdin') return 0;
  const m = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(file);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
