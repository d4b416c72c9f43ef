/**
 * A scriptable stand-in for an OpenAI-compatible server and for Azure OpenAI, on 127.0.0.1.
 *
 * Speaks the Chat Completions wire protocol: `POST /v1/chat/completions` (a JSON reply, or SSE
 * `data: {…}` chunks ending `data: [DONE]`, with a last usage chunk when the request asks for
 * `stream_options.include_usage`), `GET /v1/models`, and Azure's
 * `POST /openai/deployments/{deployment}/chat/completions?api-version=…` (no api-version → 404, as
 * Azure answers). Tests queue replies with `reply()` and read what was sent from `requests`.
 *
 * For load and failure tests it can also behave like a busy real server (all off by default): a
 * latency on every reply, a requests-per-minute limit answered with 429 and Retry-After, seeded
 * fault injection (429, 500, a stream dropped midway, broken JSON in JSON mode), and a
 * `responder` that builds each reply from the request.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '../harness/random';

/** An error body in OpenAI's shape: `{"error": {"message", "type", "code", "param"}}`. */
export interface PeerErrorBody {
  readonly message: string;
  readonly type?: string;
  readonly code?: string | null;
  readonly param?: string | null;
}

/** One scripted reply; every field is optional and the defaults make a short successful answer. */
export interface PeerReply {
  /** HTTP status (200 by default). With a status of 400 or more the body is `error` (or `rawBody`). */
  readonly status?: number;
  /** More response headers, e.g. `{ 'retry-after': '3' }` or `{ 'retry-after-ms': '250' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly error?: PeerErrorBody;
  /** A body sent as is instead of the generated one (for error shapes other servers use). */
  readonly rawBody?: string;
  /** The answer text; split into `chunks` pieces when streamed. */
  readonly content?: string;
  /** The streamed pieces of the answer; overrides splitting `content`. */
  readonly chunks?: readonly string[];
  /** `finish_reason` of the last chunk ('stop' by default; null sends none). */
  readonly finishReason?: string | null;
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
  /** Milliseconds to wait before answering at all. */
  readonly delayMs?: number;
  /** Milliseconds to wait before each streamed content chunk. */
  readonly chunkDelayMs?: number;
  /**
   * Streamed replies: milliseconds of silence after the response head, before the first chunk (a
   * reasoning model thinking), broken by an SSE comment every `keepAliveMs` when that is set (as
   * gateways such as OpenRouter send `: OPENROUTER PROCESSING` while a model thinks).
   */
  readonly thinkMs?: number;
  readonly keepAliveMs?: number;
  /** Destroy the socket after this many content chunks (a dropped connection mid-stream). */
  readonly dropAfterChunks?: number;
  /** Send a chunk that is not JSON after this many content chunks. */
  readonly malformedAfterChunks?: number;
}

/** A request as the peer saw it. `body` is the parsed JSON body, or the raw text if it was not JSON. */
export interface PeerRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface OpenAIPeerOptions {
  /** Ids `GET /v1/models` lists; null answers 404, as servers without the route do. */
  readonly models?: readonly string[] | null;
  /** When set, requests must carry this key (`Authorization: Bearer …`, or `api-key` on Azure paths), else 401. */
  readonly apiKey?: string;
  /** The reply used when the queue is empty (and there is no `responder`). */
  readonly defaultReply?: PeerReply;
  /** Builds the reply from the chat request's body when the queue is empty; it wins over `defaultReply`. */
  readonly responder?: (body: Record<string, unknown>) => PeerReply;
  /** Milliseconds to wait before every chat reply whose own `delayMs` is unset (not before 429s). */
  readonly latencyMs?: number;
  /**
   * A requests-per-minute limit, as a token bucket over real time that starts full (a minute's
   * budget) and refills continuously. A chat request beyond it is answered at once with 429, a
   * `retry-after-ms` header (the exact wait for the next free request) and `retry-after` in whole
   * seconds, as OpenAI and Azure answer.
   */
  readonly rateLimit?: PeerRateLimit;
  /** Seeded fault injection on chat requests that pass the rate limit; see `PeerFaults`. */
  readonly faults?: PeerFaults;
}

export interface PeerRateLimit {
  readonly requestsPerMinute: number;
  /**
   * How early, in milliseconds, a request may come by the bucket's clock and still pass (default
   * 0: exact). A client that paces itself at exactly the limit sees its requests arrive a little
   * later than it sent them, and its first one later still (the connection is set up first), so
   * by the server's clock some arrive a few milliseconds early. The scheduler's headroom
   * (src/endpoints/scheduler/bucket.ts) keeps those inside the bucket, so the generation bench
   * counts exactly (0); a grace only makes the peer more lenient than a server need be. The rate
   * over time stays exactly `requestsPerMinute`.
   */
  readonly graceMs?: number;
}

/**
 * What can go wrong: '429' (with Retry-After), '500', 'drop' (the connection cut after the first
 * streamed chunk) and 'invalid-json' (for JSON-mode requests only: the reply's text cut in half,
 * so it is not valid JSON).
 */
export type PeerFaultKind = '429' | '500' | 'drop' | 'invalid-json';

export interface PeerFaults {
  /** The share of requests that fail, 0–1. */
  readonly rate: number;
  /** Seeds the draws, one per request in arrival order, so a run's faults can be reproduced. */
  readonly seed: number;
  /** The kinds to draw from, evenly (list one twice to weight it); a request draws only among those that apply to it. */
  readonly kinds: readonly PeerFaultKind[];
  /** The wait an injected 429 asks for (default 200 ms). */
  readonly retryAfterMs?: number;
}

/** What the peer refused or broke, for tests to check against what the client reports. */
export interface PeerInjected {
  /** Requests answered 429 by the rate limit. */
  rateLimited: number;
  /** Faults injected, by kind. */
  readonly faults: Record<PeerFaultKind, number>;
}

export interface RunningPeer {
  /** `http://127.0.0.1:<port>`: the OpenAI base URL is `${url}/v1`; the Azure endpoint is `url` itself. */
  readonly url: string;
  close(): Promise<void>;
}

const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

export class OpenAIPeer {
  /** Every request received, oldest first. */
  readonly requests: PeerRequest[] = [];
  private readonly queue: PeerReply[] = [];
  private readonly sockets = new Set<Socket>();
  private served = 0;
  /** What the rate limit and fault injection did so far. */
  readonly injected: PeerInjected = { rateLimited: 0, faults: { '429': 0, '500': 0, drop: 0, 'invalid-json': 0 } };
  private bucket: { level: number; last: number } | undefined;
  private readonly faultRandom: (() => number) | undefined;

  constructor(private readonly options: OpenAIPeerOptions = {}) {
    this.faultRandom = options.faults === undefined ? undefined : seededRandom(options.faults.seed);
  }

  /** Queues replies for the next chat requests, in order. */
  reply(...replies: readonly PeerReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** The chat requests received (the body of each), oldest first. */
  get chatBodies(): Record<string, unknown>[] {
    return this.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions'))
      .map((r) => (typeof r.body === 'object' && r.body !== null ? r.body as Record<string, unknown> : {}));
  }

  async start(): Promise<RunningPeer> {
    const server = createServer((req, res) => {
      void this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
        s.on('close', () => {
        this.sockets.delete(s);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => {
        for (const s of this.sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req);
    let body: unknown = text;
    try {
      if (text !== '') body = JSON.parse(text) as unknown;
    } catch {
      // Kept as text: the log shows what arrived.
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), headers: req.headers, body });
    const azure = AZURE_PATH.exec(parsed.pathname);

    if (method === 'GET' && parsed.pathname === '/v1/models') {
      if (!this.authorized(req, false)) { sendError(res, 401, unauthorized()); return; }
      const models = this.options.models === undefined ? ['peer-model'] : this.options.models;
      if (models === null) { sendError(res, 404, { message: 'Not found', type: 'invalid_request_error', code: null }); return; }
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'peer' })) });
      return;
    }
    if (method === 'POST' && (parsed.pathname === '/v1/chat/completions' || azure !== null)) {
      if (azure !== null && !parsed.searchParams.has('api-version')) {
        sendError(res, 404, { message: 'Resource not found', type: 'invalid_request_error', code: '404' });
        return;
      }
      if (!this.authorized(req, azure !== null)) { sendError(res, 401, unauthorized()); return; }
      const request = typeof body === 'object' && body !== null ? body as Record<string, unknown> : {};
      const waitMs = this.takeRequest();
      if (waitMs !== undefined) {
        this.injected.rateLimited++;
        sendJson(res, 429, { error: { message: 'Rate limit reached for requests per minute. Please try again later.', type: 'requests', code: 'rate_limit_exceeded', param: null } }, retryHeaders(waitMs));
        return;
      }
      const fault = this.drawFault(request);
      if (fault === 'drop' && request['stream'] !== true) {
        await sleep(this.options.latencyMs ?? 0, res);
        res.socket?.destroy();
        return;
      }
      const reply = fault === undefined || fault === 'invalid-json' ? this.nextReply(request) : faultReply(fault, this.options.faults?.retryAfterMs ?? 200);
      const delayed = reply.delayMs === undefined && this.options.latencyMs !== undefined ? { ...reply, delayMs: this.options.latencyMs } : reply;
      await this.answer(res, fault === 'invalid-json' ? brokenJson(delayed) : delayed, request, azure?.[1]);
      return;
    }
    sendError(res, 404, { message: `No route for ${method} ${parsed.pathname}`, type: 'invalid_request_error', code: null });
  }

  private nextReply(request: Record<string, unknown>): PeerReply {
    return this.queue.shift() ?? this.options.responder?.(request) ?? this.options.defaultReply ?? {};
  }

  /** Spends one request of the rate limit; the milliseconds until one is free when there is none. */
  private takeRequest(): number | undefined {
    const limit = this.options.rateLimit;
    if (limit === undefined) return undefined;
    const now = performance.now();
    const perMs = limit.requestsPerMinute / 60_000;
    this.bucket ??= { level: limit.requestsPerMinute, last: now };
    this.bucket.level = Math.min(limit.requestsPerMinute, this.bucket.level + (now - this.bucket.last) * perMs);
    this.bucket.last = now;
    // The grace, and a hair of slack for floating-point error.
    if (this.bucket.level >= 1 - (limit.graceMs ?? 0) * perMs - 1e-9) {
      this.bucket.level -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.bucket.level) / perMs));
  }

  /** The fault to inject into this request, if the draw says so. */
  private drawFault(request: Record<string, unknown>): PeerFaultKind | undefined {
    const faults = this.options.faults;
    const random = this.faultRandom;
    if (faults === undefined || random === undefined) return undefined;
    if (random() >= faults.rate) return undefined;
    const format = request['response_format'];
    const json = typeof format === 'object' && format !== null && (format as Record<string, unknown>)['type'] === 'json_object';
    const kinds = faults.kinds.filter((k) => k !== 'invalid-json' || json);
    const kind = kinds[Math.floor(random() * kinds.length)];
    if (kind !== undefined) this.injected.faults[kind]++;
    return kind;
  }

  private authorized(req: IncomingMessage, azure: boolean): boolean {
    const key = this.options.apiKey;
    if (key === undefined) return true;
    return azure ? req.headers['api-key'] === key : req.headers.authorization === `Bearer ${key}`;
  }

  private async answer(res: ServerResponse, reply: PeerReply, request: Record<string, unknown>, deployment: string | undefined): Promise<void> {
    // A client that went away mid-reply makes writes fail; that is expected here, not a peer fault.
    res.on('error', () => undefined);
    if (reply.delayMs !== undefined) {
      await sleep(reply.delayMs, res);
      if (gone(res)) return;
    }
    const n = ++this.served;
    const headers = { 'x-request-id': `req_peer_${n}`, ...reply.headers };
    const status = reply.status ?? 200;
    if (status >= 400) {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(reply.rawBody ?? JSON.stringify({ error: reply.error ?? { message: `Status ${status}`, type: 'server_error', code: null } }));
      return;
    }
    const model = typeof request['model'] === 'string' ? request['model'] : (deployment ?? 'peer-model');
    const content = reply.content ?? 'Hello from the peer.';
    const pieces = reply.chunks ?? splitContent(content);
    const finishReason = reply.finishReason === undefined ? 'stop' : reply.finishReason;
    const usage = reply.usage ?? { promptTokens: 7, completionTokens: pieces.length };
    const usageBody = { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
    const id = `chatcmpl-peer-${n}`;
    const created = Math.floor(Date.now() / 1000);

    if (request['stream'] !== true) {
      if (reply.rawBody !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(reply.rawBody);
        return;
      }
      sendJson(res, status, {
        id, object: 'chat.completion', created, model,
        choices: [{ index: 0, message: { role: 'assistant', content: pieces.join('') }, finish_reason: finishReason, logprobs: null }],
        usage: usageBody,
      }, headers);
      return;
    }

    res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
      JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
    for (let thought = 0; thought < (reply.thinkMs ?? 0);) {
      const step = Math.min(reply.keepAliveMs ?? Infinity, (reply.thinkMs ?? 0) - thought);
      await sleep(step, res);
      if (gone(res)) return;
      thought += step;
      if (reply.keepAliveMs !== undefined) res.write(': keep-alive\n\n');
    }
    res.write(`data: ${chunk({ role: 'assistant', content: '' }, null)}\n\n`);
    for (const [i, piece] of pieces.entries()) {
      if (reply.dropAfterChunks === i) {
        await drop(res);
        return;
      }
      if (reply.malformedAfterChunks === i) res.write('data: {"id": "broken", "choices": [\n\n');
      if (reply.chunkDelayMs !== undefined) {
        await sleep(reply.chunkDelayMs, res);
        if (gone(res)) return;
      }
      res.write(`data: ${chunk({ content: piece }, null)}\n\n`);
    }
    if (reply.dropAfterChunks !== undefined && reply.dropAfterChunks >= pieces.length) {
      await drop(res);
      return;
    }
    if (reply.malformedAfterChunks !== undefined && reply.malformedAfterChunks >= pieces.length) res.write('data: {"id": "broken", "choices": [\n\n');
    if (finishReason !== null) res.write(`data: ${chunk({}, finishReason)}\n\n`);
    const streamOptions = request['stream_options'];
    if (typeof streamOptions === 'object' && streamOptions !== null && (streamOptions as Record<string, unknown>)['include_usage'] === true) {
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageBody })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }
}

function retryHeaders(ms: number): Record<string, string> {
  return { 'retry-after-ms': String(ms), 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}

/** The reply an injected fault gives (not 'invalid-json', which breaks a real reply: see `brokenJson`). */
function faultReply(kind: Exclude<PeerFaultKind, 'invalid-json'>, retryAfterMs: number): PeerReply {
  switch (kind) {
    case '429':
      return {
        status: 429,
        delayMs: 0,
        headers: retryHeaders(retryAfterMs),
        error: { message: 'Rate limit reached for requests. Please try again later.', type: 'requests', code: 'rate_limit_exceeded' },
      };
    case '500':
      return { status: 500, error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null } };
    case 'drop':
      return { content: 'This reply is cut off before it is finished.', dropAfterChunks: 1 };
  }
}

/** The reply with its text cut in half, so it is no longer valid JSON. */
function brokenJson(reply: PeerReply): PeerReply {
  const text = reply.chunks?.join('') ?? reply.content ?? 'Hello from the peer.';
  let cut = text.slice(0, Math.floor(text.length / 2));
  try {
    JSON.parse(cut);
    cut = `Here is the JSON you asked for: ${cut}`;
  } catch {
    // Already broken, as wanted.
  }
  return { ...reply, content: cut, chunks: [cut] };
}

function unauthorized(): PeerErrorBody {
  return { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' };
}

/** Splits text into about three pieces at spaces, so streaming is visible; short text stays whole. */
function splitContent(text: string): string[] {
  const words = text.split(/(?<= )/);
  if (words.length < 3) return [text];
  const size = Math.ceil(words.length / 3);
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += size) pieces.push(words.slice(i, i + size).join(''));
  return pieces;
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function sendError(res: ServerResponse, status: number, error: PeerErrorBody): void {
  sendJson(res, status, { error });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => {
      parts.push(b);
    });
    req.on('end', () => {
      resolve(Buffer.concat(parts).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Cuts the connection without ending the response, after giving the chunks already sent time to arrive. */
async function drop(res: ServerResponse): Promise<void> {
  await sleep(50, res);
  res.socket?.destroy();
}

function gone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

/** Waits, ending early when the client goes away (so a cancelled request frees the peer at once). */
function sleep(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}
