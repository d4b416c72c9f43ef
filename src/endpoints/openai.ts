/**
 * Chat backends for OpenAI, Azure OpenAI and OpenAI-compatible servers (Ollama, vLLM, LM Studio,
 * llama.cpp), on the official `openai` client.
 *
 * Every reply is streamed with usage. Failures become `EndpointError`s worded for the user; their
 * messages never contain the key or the prompt. The client's own retries are off (`maxRetries: 0`):
 * the scheduler owns retries, so a failure surfaces at once with its `retryAfterMs`. The scheduler
 * owns time limits too: every byte of a reply (its head, each SSE chunk, keep-alive comments
 * included) is reported through `onProgress`, which resets its idle timer.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, AzureOpenAI, type ClientOptions } from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { DEFAULT_AZURE_API_VERSION } from './config';
import { EndpointError, type ChatChunk, type ChatEndpoint, type ChatOptions, type ChatRequest, type FinishReason, type Usage } from './types';

/** A `fetch` to send requests with (tests and proxies); the global one by default. */
export type FetchLike = NonNullable<ClientOptions['fetch']>;

export interface OpenAIEndpointOptions {
  readonly id: string;
  /**
   * The API key. Optional for compatible servers (a `baseURL` is given) that need none; required for
   * OpenAI itself.
   */
  readonly apiKey?: string;
  readonly model: string;
  /** A compatible server's base URL, e.g. `http://localhost:11434/v1`; OpenAI's when absent. */
  readonly baseURL?: string;
  readonly organization?: string;
  /** Extra headers sent with every request (e.g. a gateway's own auth). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * An idle timeout of the backend's own: the longest wait for the reply to start and then between
   * two chunks. Unset (as `createEndpoint` builds it): none here, the scheduler's limits apply.
   */
  readonly timeoutMs?: number;
  /** Treat the model as a reasoning model (see `isReasoningModel`); decided by its name when absent. */
  readonly reasoning?: boolean;
  readonly fetch?: FetchLike;
}

export interface AzureOpenAIEndpointOptions {
  readonly id: string;
  /** The resource URL, e.g. `https://my-resource.openai.azure.com/`. */
  readonly endpoint: string;
  readonly deployment: string;
  /** e.g. `2025-04-01-preview` ({@link DEFAULT_AZURE_API_VERSION}). */
  readonly apiVersion: string;
  readonly apiKey: string;
  /** As in `OpenAIEndpointOptions`: unset, the scheduler's limits apply. */
  readonly timeoutMs?: number;
  /** Treat the deployment as a reasoning model; decided by the deployment name when absent. */
  readonly reasoning?: boolean;
  readonly fetch?: FetchLike;
}

export interface ListModelsOptions {
  readonly baseURL: string;
  readonly apiKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
  readonly signal?: AbortSignal;
}

/** How long listing a server's models may take: 2 minutes. */
export const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The client's own timeout for a chat request when the backend sets none: a day, i.e. never before
 * the scheduler's limits, which are at most that long (MAX_TIMEOUT_SECONDS). The client's timeout
 * runs until the response head arrives (`fetchWithTimeout` in the openai package's client.ts clears
 * it then), and its default of 10 minutes (`DEFAULT_TIMEOUT = 600000`) would otherwise cut a
 * reasoning model whose endpoint allows it longer.
 */
const CLIENT_TIMEOUT_MS = 86_400_000;

/** Compatible servers that need no key still get one: the `openai` client refuses an empty key. */
const NO_KEY_PLACEHOLDER = 'none';
const MAX_SERVER_MESSAGE = 300;

/**
 * Whether a model takes `max_completion_tokens` and refuses `temperature` / `top_p`: OpenAI's
 * o-series (`o1`, `o3-mini`, `o4-mini`, …) and the gpt-5 family (`gpt-5`, `gpt-5-mini`, `gpt-5.1`, …)
 * except its chat models (`gpt-5-chat-latest`), which sample like gpt-4o. Only the last path segment
 * counts, so router names like `openai/o3-mini` match too. A new name this misses is caught by the
 * retry on an "unsupported parameter" 400.
 */
export function isReasoningModel(model: string): boolean {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  if (/^o\d+(?:$|-)/.test(name)) return true;
  return /^gpt-5(?:$|[-.])/.test(name) && !/-chat(?:$|-)/.test(name);
}

/** An OpenAI or OpenAI-compatible chat endpoint. Creating it never throws; problems surface on `chat`. */
export function createOpenAIEndpoint(options: OpenAIEndpointOptions): ChatEndpoint {
  const key = options.apiKey ?? '';
  return createBackend({
    id: options.id,
    model: options.model,
    kind: 'openai',
    host: originOf(options.baseURL ?? 'https://api.openai.com/v1'),
    secrets: [key],
    reasoning: options.reasoning ?? isReasoningModel(options.model),
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
    client: (fetch) => {
      if (key === '' && options.baseURL === undefined) {
        throw new EndpointError('auth', `Endpoint "${options.id}" has no API key. Set one with TuneLab: Set Key.`);
      }
      // One client per request when its bytes are watched (building one sends nothing).
      return new OpenAI({
        ...commonClientOptions(fetch),
        apiKey: key === '' ? NO_KEY_PLACEHOLDER : key,
        baseURL: options.baseURL ?? 'https://api.openai.com/v1',
        organization: options.organization ?? null,
        defaultHeaders: options.headers,
      });
    },
  });
}

/** An Azure OpenAI deployment. Creating it never throws; problems surface on `chat`. */
export function createAzureOpenAIEndpoint(options: AzureOpenAIEndpointOptions): ChatEndpoint {
  return createBackend({
    id: options.id,
    model: options.deployment,
    kind: 'azure',
    apiVersion: options.apiVersion,
    host: originOf(options.endpoint),
    secrets: [options.apiKey],
    reasoning: options.reasoning ?? isReasoningModel(options.deployment),
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
    client: (fetch) => {
      if (options.apiKey === '') {
        throw new EndpointError('auth', `Endpoint "${options.id}" has no API key. Set one with TuneLab: Set Key.`);
      }
      if (options.apiVersion === '' || options.endpoint === '') {
        throw new EndpointError('bad-request', `Endpoint "${options.id}" needs its Azure resource URL and API version (e.g. ${DEFAULT_AZURE_API_VERSION}) in its settings.`);
      }
      // The base URL is built here rather than passed as `endpoint`, so an OPENAI_BASE_URL in the
      // environment cannot clash with it.
      return new AzureOpenAI({
        ...commonClientOptions(fetch),
        apiKey: options.apiKey,
        baseURL: `${options.endpoint.replace(/\/+$/, '')}/openai`,
        apiVersion: options.apiVersion,
        deployment: options.deployment,
      });
    },
  });
}

/**
 * The model ids a compatible server offers at `GET {baseURL}/models`. A server without that route
 * (404, 405, 501) or with an unreadable answer gives an empty list; other failures throw an
 * `EndpointError`.
 */
export async function listModels(options: ListModelsOptions): Promise<string[]> {
  const key = options.apiKey ?? '';
  const client = new OpenAI({
    ...commonClientOptions(options.fetch),
    apiKey: key === '' ? NO_KEY_PLACEHOLDER : key,
    baseURL: options.baseURL,
    organization: null,
    defaultHeaders: options.headers,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const ctx: ErrorContext = { id: options.baseURL, kind: 'openai', host: originOf(options.baseURL), model: '', secrets: [key], prompts: [], timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  try {
    const page = await client.models.list({ signal: options.signal ?? null });
    const data: unknown = page.data;
    if (!Array.isArray(data)) return [];
    return data.flatMap((m: unknown) => {
      const id = typeof m === 'object' && m !== null ? (m as { id?: unknown }).id : undefined;
      return typeof id === 'string' ? [id] : [];
    });
  } catch (e) {
    const status = httpFailure(e)?.status;
    if (status === 404 || status === 405 || status === 501) return [];
    if (e instanceof SyntaxError) return [];
    throw toEndpointError(e, ctx, { cancelled: options.signal?.aborted === true, timedOut: false, requestId: undefined });
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming

interface BackendConfig {
  readonly id: string;
  readonly model: string;
  readonly kind: 'openai' | 'azure';
  readonly apiVersion?: string;
  readonly host: string;
  readonly secrets: readonly string[];
  readonly reasoning: boolean;
  readonly timeoutMs: number | undefined;
  /** The fetch the caller gave (else the global one); the client for one request, sending through `fetch`. */
  readonly fetch: FetchLike | undefined;
  readonly client: (fetch: FetchLike | undefined) => OpenAI;
}

function commonClientOptions(fetch: FetchLike | undefined): Omit<ClientOptions, 'provider'> {
  return {
    // The scheduler owns retries and honours Retry-After itself.
    maxRetries: 0,
    // Chat requests set their own (see CLIENT_TIMEOUT_MS); this is for listing models.
    timeout: DEFAULT_TIMEOUT_MS,
    // The client's logger would print unreadable stream chunks (model output) to the console.
    logLevel: 'off',
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    ...(fetch === undefined ? {} : { fetch }),
  };
}

function createBackend(config: BackendConfig): ChatEndpoint {
  // Set when the server refused sampling parameters, so later requests skip the failing attempt.
  let learnedReasoning = false;
  return {
    id: config.id,
    chat: (request, signal, options) => stream(config, request, signal, options, () => config.reasoning || learnedReasoning, () => { learnedReasoning = true; }),
  };
}

async function* stream(
  config: BackendConfig,
  request: ChatRequest,
  signal: AbortSignal,
  options: ChatOptions | undefined,
  reasoningNow: () => boolean,
  learnReasoning: () => void,
): AsyncGenerator<ChatChunk, void, undefined> {
  const reasoning = reasoningNow();
  // Undefined: no timer here; the scheduler's idle and total limits govern (it reads onProgress).
  const ownTimeoutMs = config.timeoutMs;
  const timeoutMs = ownTimeoutMs ?? CLIENT_TIMEOUT_MS;
  const ctx: ErrorContext = {
    id: config.id, kind: config.kind, host: config.host, model: config.model, apiVersion: config.apiVersion,
    secrets: config.secrets, prompts: request.messages.map((m) => m.content), timeoutMs,
  };
  // Built by a function so the checks below are not narrowed to the initial values: callbacks set them.
  const state = freshState();
  if (signal.aborted) throw toEndpointError(undefined, ctx, { ...state, cancelled: true });

  const controller = new AbortController();
  const onAbort = (): void => {
    state.cancelled = true;
    controller.abort();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    if (ownTimeoutMs === undefined) return;
    timer = setTimeout(() => {
      state.timedOut = true;
      controller.abort();
    }, ownTimeoutMs);
  };
  const disarm = (): void => {
    clearTimeout(timer);
  };

  try {
    const onProgress = options?.onProgress;
    const client = config.client(onProgress === undefined ? config.fetch : reportingFetch(config.fetch ?? globalThis.fetch, onProgress));
    const open = async (asReasoning: boolean) => {
      const { data, request_id } = await client.chat.completions
        .create(buildBody(config.model, request, asReasoning), { signal: controller.signal, timeout: timeoutMs })
        .withResponse();
      state.requestId = request_id ?? undefined;
      return data;
    };
    arm();
    let chunks;
    try {
      chunks = await open(reasoning);
    } catch (e) {
      if (reasoning || !refusesSamplingParameters(e) || state.cancelled || state.timedOut) throw e;
      learnReasoning();
      arm();
      chunks = await open(true);
    }

    let finish: FinishReason | undefined;
    let usage: Usage | undefined;
    arm();
    for await (const chunk of chunks) {
      disarm();
      const read = readChunk(chunk);
      if (read === undefined) throw new SyntaxError('not a chat completion chunk');
      if (read.text !== '') yield { type: 'text', text: read.text };
      finish = read.finish ?? finish;
      usage = read.usage ?? usage;
      arm();
    }
    disarm();
    // The client ends the stream quietly when it is aborted; say why instead.
    if (state.cancelled || state.timedOut) throw new APIUserAbortError();
    if (finish === undefined) throw new StreamEndedEarly();
    if (usage !== undefined) yield { type: 'usage', usage };
    yield { type: 'finish', reason: finish };
  } catch (e) {
    throw toEndpointError(e, ctx, { ...state, cancelled: state.cancelled || signal.aborted });
  } finally {
    disarm();
    signal.removeEventListener('abort', onAbort);
    // Frees the connection when the caller stops reading early.
    controller.abort();
  }
}

function buildBody(model: string, request: ChatRequest, reasoning: boolean): ChatCompletionCreateParamsStreaming {
  return {
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    stream: true,
    stream_options: { include_usage: true },
    ...(!reasoning && request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(!reasoning && request.topP !== undefined ? { top_p: request.topP } : {}),
    // Compatible servers (vLLM, Ollama, llama.cpp) and older Azure API versions know only max_tokens.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    ...(request.maxTokens === undefined ? {} : reasoning ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }),
    ...(request.stop !== undefined && request.stop.length > 0 ? { stop: [...request.stop] } : {}),
    // Best effort on OpenAI, honoured by most compatible servers: kept for reproducible generation.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.json === true ? { response_format: { type: 'json_object' as const } } : {}),
  };
}

/** An HTTP error from the client, with the fields TuneLab reads, typed. */
interface HttpFailure {
  readonly status: number | undefined;
  readonly headers: Headers | undefined;
  readonly code: string | undefined;
  readonly param: string | undefined;
  /** The `error` member of the body, or the whole body when it had none. */
  readonly body: unknown;
  readonly requestId: string | undefined;
}

function httpFailure(e: unknown): HttpFailure | undefined {
  if (!(e instanceof APIError) || e instanceof APIConnectionError || e instanceof APIUserAbortError) return undefined;
  const err = e as APIError<number | undefined, Headers | undefined, object | undefined>;
  const { status, headers, code, param, requestID } = err;
  const body: unknown = err.error;
  return {
    status,
    headers,
    code: code ?? undefined,
    param: param ?? undefined,
    body,
    requestId: requestID ?? undefined,
  };
}

/** A 400 saying `temperature`, `top_p` or `max_tokens` is not supported: the reasoning-model shape will do. */
function refusesSamplingParameters(e: unknown): boolean {
  const f = httpFailure(e);
  if (f?.status !== 400) return false;
  const text = `${f.param ?? ''} ${f.code ?? ''} ${serverMessage(f) ?? ''}`;
  return /unsupported|not supported|does not support/i.test(text) && /\b(?:max_tokens|temperature|top_p)\b/.test(text);
}

interface ReadChunk { readonly text: string; readonly finish?: FinishReason; readonly usage?: Usage }

/** The parts of a stream chunk TuneLab uses, or undefined when it is not shaped like one. */
function readChunk(chunk: ChatCompletionChunk): ReadChunk | undefined {
  const raw: unknown = chunk;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const choices: unknown = (raw as { choices?: unknown }).choices;
  if (choices !== undefined && choices !== null && !Array.isArray(choices)) return undefined;
  let text = '';
  let finish: FinishReason | undefined;
  for (const choice of (choices ?? []) as readonly unknown[]) {
    if (typeof choice !== 'object' || choice === null) return undefined;
    const { index, delta, finish_reason } = choice as { index?: unknown; delta?: unknown; finish_reason?: unknown };
    if (index !== undefined && index !== 0) continue;
    const content = typeof delta === 'object' && delta !== null ? (delta as { content?: unknown }).content : undefined;
    if (typeof content === 'string') text += content;
    if (typeof finish_reason === 'string' && finish_reason !== '') finish = mapFinishReason(finish_reason);
  }
  const u: unknown = (raw as { usage?: unknown }).usage;
  let usage: Usage | undefined;
  if (typeof u === 'object' && u !== null) {
    const { prompt_tokens, completion_tokens } = u as { prompt_tokens?: unknown; completion_tokens?: unknown };
    if (typeof prompt_tokens === 'number' && typeof completion_tokens === 'number') {
      usage = { inputTokens: prompt_tokens, outputTokens: completion_tokens };
    }
  }
  return { text, ...(finish === undefined ? {} : { finish }), ...(usage === undefined ? {} : { usage }) };
}

export function mapFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'stop': return 'stop';
    case 'length': return 'length';
    case 'content_filter': return 'content-filter';
    case 'tool_calls':
    case 'function_call': return 'tool-calls';
    default: return 'other';
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

interface ErrorContext {
  readonly id: string;
  readonly kind: 'openai' | 'azure';
  readonly host: string;
  readonly model: string;
  readonly apiVersion?: string;
  readonly secrets: readonly string[];
  readonly prompts: readonly string[];
  readonly timeoutMs: number;
}

interface FailureState { cancelled: boolean; timedOut: boolean; requestId: string | undefined }

function freshState(): FailureState {
  return { cancelled: false, timedOut: false, requestId: undefined };
}

/** The stream ended (cleanly, at the HTTP level) before the reply said it was finished. */
class StreamEndedEarly extends Error {}

/** Maps anything thrown while talking to the server to a user-facing `EndpointError`. */
function toEndpointError(e: unknown, ctx: ErrorContext, state: FailureState): EndpointError {
  if (e instanceof EndpointError) return e;
  const http = httpFailure(e);
  const requestId = http?.requestId ?? state.requestId;
  const make = (kind: EndpointError['kind'], message: string, status?: number, retryAfterMs?: number): EndpointError =>
    new EndpointError(kind, redact(message, ctx) + (requestId === undefined ? '' : ` (request id ${requestId})`), {
      ...(status === undefined ? {} : { status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(requestId === undefined ? {} : { requestId }),
      cause: e,
    });
  const name = `endpoint "${ctx.id}"`;
  const Name = `Endpoint "${ctx.id}"`;
  const seconds = Math.round(ctx.timeoutMs / 100) / 10;

  if (state.cancelled) return make('cancelled', `The request to ${name} was cancelled.`);
  if (state.timedOut || e instanceof APIConnectionTimeoutError) {
    return make('timeout', `${Name} did not answer within ${seconds} s. Try again; if it keeps happening, raise the endpoint's timeout or check that the server at ${ctx.host} is not overloaded.`);
  }
  if (e instanceof APIUserAbortError) return make('cancelled', `The request to ${name} was cancelled.`);
  if (e instanceof APIConnectionError) {
    return make('network', `Could not reach ${name} at ${ctx.host}${describeCause(e.cause)}. Check the URL and your network connection, and that the server is running.`);
  }
  if (http !== undefined) {
    const status = http.status;
    // Redacted before `quote` shortens it, so a long echoed prompt is still recognised.
    const rawServer = serverMessage(http);
    const server = rawServer === undefined ? undefined : redact(rawServer, ctx);
    const said = server === undefined ? '' : ` The server said: ${quote(server)}`;
    if (status === undefined) return make('server', `${Name} reported an error in the middle of the reply.${said} Try again.`);
    if (status === 401) return make('auth', `${Name} rejected the API key (401). Check the key for endpoint ${ctx.id}: TuneLab: Set Key.`, status);
    if (status === 403) return make('auth', `${Name} refused access (403).${said} Check the key for endpoint ${ctx.id} (TuneLab: Set Key) and that it may use ${ctx.kind === 'azure' ? 'this deployment' : `the model "${ctx.model}"`}.`, status);
    if (status === 404) {
      return make('not-found', ctx.kind === 'azure'
        ? `${Name} has no deployment named "${ctx.model}" (404), or does not know API version "${ctx.apiVersion ?? ''}". Check the deployment name and API version in the endpoint's settings.`
        : `${Name} does not know the model "${ctx.model}" (404).${said} Check the model name and base URL in the endpoint's settings.`, status);
    }
    if (status === 429) {
      const retryAfterMs = retryAfter(http.headers);
      const wait = retryAfterMs === undefined ? '' : ` It asks to wait ${Math.ceil(retryAfterMs / 100) / 10} s.`;
      if (http.code === 'insufficient_quota') return make('rate-limited', `${Name} says the account is out of quota (429).${said} Check the plan and billing of the account behind the key.`, status, retryAfterMs);
      return make('rate-limited', `${Name} is limiting the request rate (429).${wait} Lower the endpoint's concurrency if this keeps happening.`, status, retryAfterMs);
    }
    if (status === 400 && ctx.kind === 'azure' && /\bapi[- ]?versions?\b/i.test(rawServer ?? '')) {
      // Azure names the version a model needs: "Model o1 is enabled only for api versions
      // 2024-12-01-preview and later" (reported in chatboxai/chatbox#1745, microsoft/genaiscript#1121).
      const needed = /\d{4}-\d{2}-\d{2}(?:-preview)?/.exec(rawServer ?? '')?.[0] ?? DEFAULT_AZURE_API_VERSION;
      return make('bad-request', `${Name} refused API version ${ctx.apiVersion ?? '(none)'} (400).${said} Set "apiVersion": "${needed}" (or later) in the entry for "${ctx.id}" in tunelab.endpoints (your user settings).`, status);
    }
    if (status === 400 && isContextLengthError(http, server)) {
      return make('context-too-long', `The prompt is too long for the model behind ${name}.${said} Shorten the system prompt or the input, or lower max tokens.`, status);
    }
    if (status === 408) return make('timeout', `${Name} timed out handling the request (408). Try again.`, status);
    if (status >= 500) return make('server', `${Name} had a server error (${status}).${said} Try again later.`, status);
    return make('bad-request', `${Name} rejected the request (${status}).${said} Check the endpoint's model and parameters.`, status);
  }
  if (e instanceof StreamEndedEarly) {
    return make('network', `The connection to ${name} closed before the reply was finished. Try again.`);
  }
  if (e instanceof SyntaxError) {
    return make('bad-response', `${Name} sent a reply that is not valid Chat Completions JSON. Check that ${ctx.host} is an OpenAI-compatible server and that the base URL is right (it usually ends in /v1).`);
  }
  if (e instanceof Error && /terminated|socket|ECONNRESET|closed/i.test(`${e.message} ${describeCause(e.cause)}`)) {
    return make('network', `The connection to ${name} dropped before the reply was finished. Try again.`);
  }
  return make('bad-response', `${Name} answered in a way TuneLab could not read${e instanceof Error ? `: ${quote(e.message)}` : '.'}`);
}

function isContextLengthError(e: HttpFailure, server: string | undefined): boolean {
  if (e.code === 'context_length_exceeded' || e.code === 'string_above_max_length') return true;
  return /context (?:length|window)|maximum context|too many tokens|prompt is too long|reduce the length/i.test(server ?? '');
}

/** The server's own words: `error.message` in OpenAI's shape, or a bare string (Ollama). */
function serverMessage(e: HttpFailure): string | undefined {
  const body = e.body;
  if (typeof body === 'string') return body;
  if (typeof body === 'object' && body !== null) {
    const m = (body as { message?: unknown }).message;
    if (typeof m === 'string' && m !== '') return m;
  }
  return undefined;
}

/** Milliseconds from `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms != null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers?.get('retry-after');
  if (value == null || value.trim() === '') return undefined;
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `"${oneLine.length > MAX_SERVER_MESSAGE ? `${oneLine.slice(0, MAX_SERVER_MESSAGE)}…` : oneLine}".`;
}

/** Removes the key and any prompt text a server echoed back, so messages are safe to show and log. */
function redact(message: string, ctx: ErrorContext): string {
  let out = message;
  for (const secret of ctx.secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[key]');
  }
  for (const prompt of ctx.prompts) {
    if (prompt.length >= 8) out = out.split(prompt).join('[prompt]');
    else if (prompt.length > 0 && out.includes(`"${prompt}"`)) out = out.split(`"${prompt}"`).join('"[prompt]"');
  }
  return out;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const inner: unknown = cause.cause;
  const code = inner instanceof Error ? (inner as Error & { code?: unknown }).code : (cause as Error & { code?: unknown }).code;
  return typeof code === 'string' ? ` (${code})` : '';
}

/**
 * A fetch that calls `onProgress` when the response head arrives and for every piece of its body
 * as it is read: the bytes themselves, so SSE comments a gateway sends to keep a silent stream
 * alive (": OPENROUTER PROCESSING") count as well as chunks the client parses.
 */
export function reportingFetch(inner: FetchLike, onProgress: () => void): FetchLike {
  return async (url, init) => {
    const response = await inner(url, init);
    onProgress();
    if (response.body === null) return response;
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        onProgress();
        controller.enqueue(chunk);
      },
    }));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** The scheme and host of a URL, for messages (never its path or query, which may carry secrets). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured URL';
  }
}
