/**
 * A local stand-in for the Amazon Bedrock runtime's ConverseStream, for tests with the real
 * `BedrockRuntimeClient`: `POST /model/{modelId}/converse-stream` answers with genuine AWS
 * event-stream framing (`:event-type` = the union member's name), or with an AWS JSON error.
 * Replies are scripted per model id; every request is logged for assertions.
 *
 * It speaks HTTP/2 in clear text, because the Bedrock runtime client's default request handler
 * is the HTTP/2 one; so tests run the client as users do.
 */
import { createServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';

/** One ConverseStream event: the union member's name (`contentBlockDelta`, …) and its JSON body. */
export interface PeerEvent {
  readonly event: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export type PeerReply =
  /** An error as Bedrock sends it: status, `x-amzn-ErrorType`, `{"message": …}`. */
  | { readonly kind: 'error'; readonly status: number; readonly type: string; readonly message: string }
  /**
   * An event stream: the events, then optionally an exception message (`:exception-type` is a
   * member name such as `modelStreamErrorException`). With `hang`, the stream stays open after
   * the events until the client goes away. `delayMs` waits before each event.
   */
  | {
    readonly kind: 'stream';
    readonly events: readonly PeerEvent[];
    readonly exception?: { readonly type: string; readonly message: string };
    readonly hang?: boolean;
    readonly delayMs?: number;
  };

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  /** The model id from the path, decoded. */
  readonly modelId: string;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body, parsed (undefined when it was not JSON). */
  readonly body: unknown;
}

export interface BedrockPeer {
  /** `http://127.0.0.1:PORT` (HTTP/2 in clear text), for the client's `endpoint`. */
  readonly url: string;
  readonly requests: LoggedRequest[];
  /** Queues replies for a model id, used in order. */
  script(modelId: string, ...replies: PeerReply[]): void;
  /** Resolves when the client has gone away from a hanging stream. */
  readonly streamClosed: Promise<void>;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec((bytes: Uint8Array) => decoder.decode(bytes), (text: string) => encoder.encode(text));

/** One event-stream message carrying a ConverseStream event. */
export function eventFrame(event: string, body: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: event },
      ':message-type': { type: 'string', value: 'event' },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: encoder.encode(JSON.stringify(body)),
  });
}

/** One event-stream exception message (`:message-type` exception). */
export function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':message-type': { type: 'string', value: 'exception' },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: encoder.encode(JSON.stringify({ message })),
  });
}

/**
 * The events of a whole reply as Bedrock streams it: messageStart, one contentBlockDelta per
 * piece of text, contentBlockStop, messageStop, then metadata with usage (when given).
 */
export function replyEvents(pieces: readonly string[], stopReason = 'end_turn', usage?: { readonly inputTokens: number; readonly outputTokens: number }): PeerEvent[] {
  return [
    { event: 'messageStart', body: { role: 'assistant' } },
    ...pieces.map((text) => ({ event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text } } })),
    { event: 'contentBlockStop', body: { contentBlockIndex: 0 } },
    { event: 'messageStop', body: { stopReason } },
    ...(usage === undefined ? [] : [{
      event: 'metadata',
      body: { usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens }, metrics: { latencyMs: 42 } },
    }]),
  ];
}

export async function startBedrockPeer(): Promise<BedrockPeer> {
  const requests: LoggedRequest[] = [];
  const queues = new Map<string, PeerReply[]>();
  let notifyClosed: () => void = () => undefined;
  const streamClosed = new Promise<void>((resolve) => { notifyClosed = resolve; });

  const sessions = new Set<ServerHttp2Session>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'InternalServerException', e instanceof Error ? e.message : String(e));
      else res.stream.destroy();
    });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => { sessions.delete(session); });
  });

  async function handle(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !k.startsWith(':')) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const path = req.url.split('?')[0] ?? '/';
    const m = /^\/model\/([^/]+)\/converse-stream$/.exec(path);
    const modelId = m === null ? '' : decodeURIComponent(m[1] ?? '');
    requests.push({ method: req.method, path, modelId, headers, body });

    if (req.method !== 'POST' || m === null) {
      sendError(res, 404, 'UnknownOperationException', `No route for ${req.method} ${path}`);
      return;
    }
    const reply = queues.get(modelId)?.shift();
    if (reply === undefined) {
      sendError(res, 400, 'ValidationException', 'The provided model identifier is invalid.');
      return;
    }
    if (reply.kind === 'error') {
      sendError(res, reply.status, reply.type, reply.message);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'peer-request' });
    for (const e of reply.events) {
      if (reply.delayMs !== undefined) await new Promise((r) => setTimeout(r, reply.delayMs));
      res.write(eventFrame(e.event, e.body));
    }
    if (reply.exception !== undefined) res.write(exceptionFrame(reply.exception.type, reply.exception.message));
    if (reply.hang === true) {
      res.on('close', () => { notifyClosed(); });
      return;
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(modelId, ...replies) {
      const queue = queues.get(modelId) ?? [];
      queue.push(...replies);
      queues.set(modelId, queue);
    },
    streamClosed,
    close: () => new Promise<void>((resolve, reject) => {
      for (const session of sessions) session.destroy();
      server.close((e) => { if (e === undefined) resolve(); else reject(e); });
    }),
  };
}

function sendError(res: Http2ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': 'peer-request',
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  });
  res.end(text);
}
