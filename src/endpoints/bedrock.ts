/**
 * Amazon Bedrock foundation and custom models as a `ChatEndpoint`, through the runtime's
 * ConverseStream (one request shape for every model family).
 */
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  type ConverseStreamCommandInput,
  type ConverseStreamCommandOutput,
  type ConverseStreamOutput,
  type InferenceConfiguration,
  type Message,
  type SystemContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { EndpointError, type ChatChunk, type ChatEndpoint, type ChatMessage, type ChatOptions, type ChatRequest, type FinishReason } from './types';
import { abortable, AWS_AUTH_ERRORS, cancelled, clientConfig, NETWORK_CODES, type AwsCredentials } from './aws';
import { refusesSamplingPair, samplingLimit } from './bedrockModels';

export type BedrockCredentials = AwsCredentials;

export interface BedrockEndpointOptions {
  /** The endpoint's id in settings. */
  readonly id: string;
  /** A model id, inference profile id or ARN (e.g. `anthropic.claude-3-haiku-20240307-v1:0`). */
  readonly modelId: string;
  readonly region?: string;
  /** A named profile from the shared AWS config files. */
  readonly profile?: string;
  readonly credentials?: BedrockCredentials;
  /** A client to use (tests, or a shared one); else one is made from region/profile/credentials. */
  readonly client?: BedrockRuntimeClient;
}

export function createBedrockEndpoint(options: BedrockEndpointOptions): ChatEndpoint {
  let client = options.client;
  const getClient = (): BedrockRuntimeClient => {
    client ??= new BedrockRuntimeClient(clientConfig(options));
    return client;
  };

  // Set when the model refused temperature and topP together under an id samplingLimit does not know.
  let oneSampler = false;

  async function* chat(request: ChatRequest, signal: AbortSignal, chatOptions?: ChatOptions): AsyncGenerator<ChatChunk> {
    if (signal.aborted) throw cancelled();
    const progress = chatOptions?.onProgress ?? ((): void => undefined);
    const inner = new AbortController();
    const onAbort = (): void => { inner.abort(); };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const send = (): Promise<ConverseStreamCommandOutput> =>
        getClient().send(new ConverseStreamCommand(toConverseStreamInput(options.modelId, request, oneSampler)), { abortSignal: inner.signal });
      let out: ConverseStreamCommandOutput;
      try {
        out = await send();
      } catch (e) {
        const both = request.temperature !== undefined && request.topP !== undefined;
        if (oneSampler || !both || !isSamplingPairRefusal(e)) throw e;
        oneSampler = true;
        out = await send();
      }
      progress();
      if (out.stream === undefined) throw new EndpointError('bad-response', `Bedrock opened a stream for model "${options.modelId}" without a body. Try again.`);
      let reason: FinishReason | undefined;
      for await (const event of abortable(out.stream, signal)) {
        // Every event is progress, those that yield no text too: a model thinking with extended
        // thinking streams reasoningContent deltas (ContentBlockDelta, https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ContentBlockDelta.html).
        progress();
        const error = streamEventError(event);
        if (error !== undefined) throw error;
        const text = event.contentBlockDelta?.delta?.text;
        if (text !== undefined && text !== '') yield { type: 'text', text };
        if (event.messageStop !== undefined) reason ??= toFinishReason(event.messageStop.stopReason);
        const usage = event.metadata?.usage;
        if (usage !== undefined) yield { type: 'usage', usage: { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 } };
      }
      yield { type: 'finish', reason: reason ?? 'stop' };
    } catch (e) {
      throw toBedrockError(e, options.modelId, signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Releases the connection when the caller stops early.
      inner.abort();
    }
  }

  return { id: options.id, chat };
}

/**
 * The ConverseStream request for a chat request. System messages go to `system`; consecutive
 * messages of the same role are joined (Bedrock requires user and assistant turns to alternate).
 * Converse has no JSON mode, so `json` is ignored (say so in the prompt instead); it has no seed
 * either, so `seed` is ignored too. A model that takes temperature or top_p but not both (see
 * `samplingLimit`; `oneSampler` when one refused the pair) gets temperature alone when both are set.
 */
export function toConverseStreamInput(modelId: string, request: ChatRequest, oneSampler = false): ConverseStreamCommandInput {
  const system: SystemContentBlock[] = request.messages
    .filter((m) => m.role === 'system' && m.content !== '')
    .map((m) => ({ text: m.content }));
  const messages = mergeTurns(request.messages.filter((m): m is ChatMessage & { role: 'user' | 'assistant' } => m.role !== 'system'));
  const inferenceConfig: InferenceConfiguration = {
    ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined || (request.temperature !== undefined && (oneSampler || samplingLimit(modelId) !== undefined)) ? {} : { topP: request.topP }),
    ...(request.stop === undefined || request.stop.length === 0 ? {} : { stopSequences: [...request.stop] }),
  };
  return {
    modelId,
    messages,
    ...(system.length === 0 ? {} : { system }),
    ...(Object.keys(inferenceConfig).length === 0 ? {} : { inferenceConfig }),
  };
}

function mergeTurns(turns: readonly (ChatMessage & { role: 'user' | 'assistant' })[]): Message[] {
  const merged: { role: 'user' | 'assistant'; parts: string[] }[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last?.role === turn.role) last.parts.push(turn.content);
    else merged.push({ role: turn.role, parts: [turn.content] });
  }
  return merged.map((m) => ({ role: m.role, content: [{ text: m.parts.join('\n\n') }] }));
}

export function toFinishReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'content_filtered':
    case 'guardrail_intervened':
      return 'content-filter';
    case 'tool_use':
      return 'tool-calls';
    default:
      return 'other';
  }
}

/** Bedrock's ValidationException for a model that takes temperature or top_p, not both. */
function isSamplingPairRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  return name === 'ValidationException' && typeof message === 'string' && refusesSamplingPair(message);
}

/** An exception that arrived as an event member rather than as an exception message. */
function streamEventError(event: ConverseStreamOutput): Error | undefined {
  const members: readonly [string, { message?: string | undefined } | undefined][] = [
    ['ThrottlingException', event.throttlingException],
    ['ValidationException', event.validationException],
    ['ModelStreamErrorException', event.modelStreamErrorException],
    ['InternalServerException', event.internalServerException],
    ['ServiceUnavailableException', event.serviceUnavailableException],
  ];
  for (const [name, value] of members) {
    if (value !== undefined) return Object.assign(new Error(value.message ?? name), { name });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Errors

const MAX_DETAIL = 300;
const ACCESS_HINT = 'Enable model access in the Bedrock console, or check your AWS profile / run `aws sso login`.';

/** Exception names as the event stream's member names give them (`throttlingException`). */
const MEMBER_NAMES: Readonly<Record<string, string>> = {
  throttlingException: 'ThrottlingException',
  validationException: 'ValidationException',
  modelStreamErrorException: 'ModelStreamErrorException',
  internalServerException: 'InternalServerException',
  serviceUnavailableException: 'ServiceUnavailableException',
};

interface AwsErrorFields {
  name?: unknown;
  message?: unknown;
  Message?: unknown;
  code?: unknown;
  originalMessage?: unknown;
  originalStatusCode?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Maps anything the SDK throws to an `EndpointError` worded for the user. Bedrock's own message is
 * included (truncated) where it helps; credentials and the prompt never are.
 */
export function toBedrockError(error: unknown, modelId: string, signal?: AbortSignal): EndpointError {
  if (error instanceof EndpointError) return error;
  const e: AwsErrorFields = typeof error === 'object' && error !== null ? error : {};
  const rawName = typeof e.name === 'string' ? e.name : '';
  const name = MEMBER_NAMES[rawName] ?? rawName;
  const message = [e.message, e.Message].find((m): m is string => typeof m === 'string') ?? '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const requestId = typeof e.$metadata?.requestId === 'string' ? e.$metadata.requestId : undefined;
  const opts = { ...(status === undefined ? {} : { status }), ...(requestId === undefined ? {} : { requestId }), cause: error };
  const model = `model "${modelId}"`;
  const detail = truncate(message, MAX_DETAIL);

  if (signal?.aborted === true || name === 'AbortError') return cancelled(error);
  switch (name) {
    case 'ThrottlingException':
      return new EndpointError('rate-limited', `Bedrock is throttling requests to ${model}. Wait and try again, send fewer at once, or ask for a higher quota.`, opts);
    case 'ServiceQuotaExceededException':
      return new EndpointError('rate-limited', `Your account's Bedrock quota for ${model} is used up: ${detail} Wait and try again, or ask for a higher quota.`, opts);
    case 'ModelNotReadyException':
      return new EndpointError('rate-limited', `${capitalize(model)} is not ready yet. Wait a minute and try again.`, opts);
    case 'ValidationException':
      if (/model identifier is invalid|model not found|resource ?not ?found/i.test(message)) {
        return new EndpointError('not-found', `Bedrock does not know ${model} in this region: ${detail} Check the model id (some models need an inference profile id such as "us.…") and the region.`, opts);
      }
      if (/too long|max(?:imum)?[ _]?tokens|context/i.test(message)) {
        return new EndpointError('context-too-long', `The request is too long for ${model}: ${detail} Shorten the prompt or lower the most tokens to generate.`, opts);
      }
      return new EndpointError('bad-request', `Bedrock rejected the request to ${model}: ${detail}`, opts);
    case 'ResourceNotFoundException':
      return new EndpointError('not-found', `Bedrock does not know ${model} in this region: ${detail} Check the model id and the region.`, opts);
    case 'AccessDeniedException':
      return new EndpointError('auth', `Your AWS identity may not use ${model} on Bedrock (access denied). ${ACCESS_HINT}`, opts);
    case 'ModelTimeoutException':
      return new EndpointError('timeout', `${capitalize(model)} took too long to answer. Try again, or ask for fewer tokens.`, opts);
    case 'ModelStreamErrorException':
      return new EndpointError('server', `${capitalize(model)} failed while streaming: ${detail} Try again.`, opts);
    case 'ModelErrorException':
      return new EndpointError('server', `${capitalize(model)} failed: ${detail} Try again.`, opts);
    case 'InternalServerException':
    case 'ServiceUnavailableException':
    case 'ServiceUnavailable':
    case 'InternalFailure':
      return new EndpointError('server', `Bedrock could not serve ${model} just now (${name}). Try again shortly.`, opts);
    case 'TimeoutError':
      return new EndpointError('timeout', `The request to ${model} timed out. Try again, or ask for fewer tokens.`, opts);
    default:
      break;
  }
  if (AWS_AUTH_ERRORS.has(name) || /credential|sso session|expired token|security token/i.test(name === '' ? message : name)) {
    return new EndpointError('auth', `No valid AWS credentials for Bedrock ${model}. ${ACCESS_HINT}`, opts);
  }
  // The HTTP/2 handler wraps a failed connection (ERR_HTTP2_STREAM_CANCEL, caused by ECONNREFUSED…).
  const causeCode = typeof e.cause === 'object' && e.cause !== null && 'code' in e.cause && typeof e.cause.code === 'string' ? e.cause.code : '';
  const code = NETWORK_CODES.has(causeCode) ? causeCode : typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name) || code.startsWith('ERR_HTTP2_') || (error instanceof TypeError && /fetch failed|network/i.test(message))) {
    return new EndpointError('network', `Could not reach Bedrock for ${model} (${code === '' ? name : code}). Check your network connection and region.`, opts);
  }
  if (status === 429) return new EndpointError('rate-limited', `Bedrock is throttling requests to ${model}. Wait and try again.`, opts);
  if (status === 401 || status === 403) return new EndpointError('auth', `Bedrock refused the credentials for ${model} (${status}). ${ACCESS_HINT}`, opts);
  if (status !== undefined && status >= 500) return new EndpointError('server', `Bedrock failed serving ${model} (${status}). Try again shortly.`, opts);
  if (status !== undefined && status >= 400) return new EndpointError('bad-request', `Bedrock rejected the request to ${model} (${status}${name === '' ? '' : ` ${name}`}).`, opts);
  return new EndpointError('bad-response', `The request to ${model} failed unexpectedly${name === '' ? '' : ` (${name})`}.`, opts);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
