/**
 * Amazon SageMaker real-time endpoints as a `ChatEndpoint`: InvokeEndpoint, or
 * InvokeEndpointWithResponseStream when streaming, with the body shaped by a payload family
 * (see `sagemaker/payloads.ts`). Also lists the account's endpoints that are InService.
 */
import {
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  SageMakerRuntimeClient,
  type ResponseStream,
} from '@aws-sdk/client-sagemaker-runtime';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, ListEndpointsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { EndpointError, type ChatChunk, type ChatEndpoint, type ChatOptions, type ChatRequest, type FinishReason } from './types';
import { abortable, AWS_AUTH_ERRORS, cancelled, clientConfig, NETWORK_CODES, type AwsCredentials } from './aws';
import { LineBuffer } from './sagemaker/lineBuffer';
import { autoFamilies } from './sagemaker/auto';
import type { Tuning } from './sagemaker/auto';
import { jumpStartModelId, tuningOf } from './sagemaker/discover';
import { llamaChatVersion } from './sagemaker/llamaChat';
import { adapters, parseStreamLine, truncate, type JumpStartTemplate, type PayloadFamily, type RenderedPayload } from './sagemaker/payloads';

export type SageMakerFamilySetting = PayloadFamily | 'auto';

export type SageMakerCredentials = AwsCredentials;

export interface SageMakerEndpointOptions {
  /** The endpoint's id in settings. */
  readonly id: string;
  /** The SageMaker endpoint's name. */
  readonly endpointName: string;
  readonly region?: string;
  /**
   * The container's payload family. `auto` decides from the template and the model id (see
   * `sagemaker/auto.ts`), moving to the next family it allows only when the container rejects a
   * request as bad. The family that worked is kept for later requests.
   */
  readonly family: SageMakerFamilySetting;
  /**
   * The model behind the endpoint: a JumpStart model id (`meta-textgeneration-llama-3-1-8b`) or a
   * Hugging Face id. It tells `auto` a chat model from a base one, and the chat families which
   * Llama 3.x template to render.
   */
  readonly model?: string;
  /** The dataset's `template.json` (for `jumpstart-text`). */
  readonly template?: JumpStartTemplate;
  /** What follows the filled template prompt; `"\n\n### Response:\n"` by default. */
  readonly demarcation?: string;
  /** Send `accept_eula=true` in the custom attributes (JumpStart's gated models). */
  readonly acceptEula?: boolean;
  /** Use InvokeEndpointWithResponseStream (default true). */
  readonly stream?: boolean;
  /** A client to use (tests, or a shared one); else one is made from region/profile/credentials. */
  readonly client?: SageMakerRuntimeClient;
  /** A named profile from the shared AWS config files. */
  readonly profile?: string;
  readonly credentials?: SageMakerCredentials;
}

export function createSageMakerEndpoint(options: SageMakerEndpointOptions): ChatEndpoint {
  let client = options.client;
  const allowed: readonly PayloadFamily[] = options.family === 'auto' ? autoFamilies(options.template !== undefined, options.model) : [options.family];
  let family: PayloadFamily | undefined = allowed.length === 1 ? allowed[0] : undefined;
  const chatTemplate = options.model === undefined ? undefined : llamaChatVersion(options.model);
  const stream = options.stream ?? true;
  const getClient = (): SageMakerRuntimeClient => {
    client ??= new SageMakerRuntimeClient(clientConfig(options));
    return client;
  };

  // Learned from a refusal of OpenAI's json_object: this container wants TGI's grammar.
  let jsonGrammar: 'openai' | 'tgi' = 'openai';

  async function* chat(request: ChatRequest, signal: AbortSignal, chatOptions?: ChatOptions): AsyncGenerator<ChatChunk> {
    if (signal.aborted) throw cancelled();
    const progress = chatOptions?.onProgress ?? ((): void => undefined);
    const candidates: readonly PayloadFamily[] = family !== undefined ? [family] : allowed;
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i] as PayloadFamily;
      for (;;) {
        const payload = adapters[candidate].render(request, {
          ...(options.template === undefined ? {} : { template: options.template }),
          ...(options.demarcation === undefined ? {} : { demarcation: options.demarcation }),
          ...(chatTemplate === undefined ? {} : { chatTemplate }),
          acceptEula: options.acceptEula === true,
          stream,
          jsonGrammar,
        });
        let yielded = false;
        try {
          const chunks = stream
            ? invokeStreaming(getClient(), options.endpointName, payload, signal, progress)
            : invokeOnce(getClient(), options.endpointName, candidate, payload, signal, progress);
          for await (const chunk of chunks) {
            yielded = true;
            yield chunk;
          }
          family = candidate;
          return;
        } catch (e) {
          const error = toSageMakerError(e, options.endpointName, signal);
          if (!yielded && request.json === true && candidate === 'messages' && refusesJsonMode(e)) {
            // A refusal of the JSON-mode field says nothing about the payload family: ask again
            // in TGI's grammar once, and if that is refused too, report it rather than switch.
            if (jsonGrammar === 'openai') {
              jsonGrammar = 'tgi';
              continue;
            }
            throw error;
          }
          if (!yielded && i < candidates.length - 1 && error.kind === 'bad-request') break;
          throw error;
        }
      }
    }
  }

  return { id: options.id, chat };
}

/** The whole reply at once: the SDK resolves with the body read, the one moment there is progress to report. */
async function* invokeOnce(client: SageMakerRuntimeClient, endpointName: string, family: PayloadFamily, payload: RenderedPayload, signal: AbortSignal, progress: () => void): AsyncGenerator<ChatChunk> {
  const out = await client.send(new InvokeEndpointCommand({
    EndpointName: endpointName,
    Body: new TextEncoder().encode(payload.body),
    ContentType: payload.contentType,
    Accept: payload.accept,
    ...(payload.customAttributes === undefined ? {} : { CustomAttributes: payload.customAttributes }),
  }), { abortSignal: signal });
  progress();
  const text = new TextDecoder().decode(out.Body);
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    throw new EndpointError('bad-response', `Endpoint "${endpointName}" replied with something that is not JSON. Check that it serves a text-generation container, or choose another payload family.`);
  }
  const parsed = adapters[family].parse(reply, payload.prompt);
  if (parsed.text !== '') yield { type: 'text', text: parsed.text };
  if (parsed.usage !== undefined) yield { type: 'usage', usage: parsed.usage };
  yield { type: 'finish', reason: parsed.reason ?? 'stop' };
}

/**
 * A response stream: the head and every event (a PayloadPart, which may hold part of a line and
 * yield no chunk yet) are progress, so the idle limit counts silence, not unfinished lines.
 */
async function* invokeStreaming(client: SageMakerRuntimeClient, endpointName: string, payload: RenderedPayload, signal: AbortSignal, progress: () => void): AsyncGenerator<ChatChunk> {
  const inner = new AbortController();
  const onAbort = (): void => { inner.abort(); };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const out = await client.send(new InvokeEndpointWithResponseStreamCommand({
      EndpointName: endpointName,
      Body: new TextEncoder().encode(payload.body),
      ContentType: payload.contentType,
      Accept: payload.accept,
      ...(payload.customAttributes === undefined ? {} : { CustomAttributes: payload.customAttributes }),
    }), { abortSignal: inner.signal });
    progress();
    if (out.Body === undefined) throw new EndpointError('bad-response', `Endpoint "${endpointName}" opened a stream without a body.`);
    const lines = new LineBuffer();
    let reason: FinishReason | undefined;
    const handle = function* (line: string): Generator<ChatChunk> {
      for (const chunk of parseStreamLine(line)) {
        if (chunk.type === 'finish') reason ??= chunk.reason;
        else yield chunk;
      }
    };
    for await (const event of abortable(out.Body, signal)) {
      progress();
      const error = streamEventError(event);
      if (error !== undefined) throw error;
      const bytes = event.PayloadPart?.Bytes;
      if (bytes !== undefined) for (const line of lines.push(bytes)) yield* handle(line);
    }
    for (const line of lines.end()) yield* handle(line);
    yield { type: 'finish', reason: reason ?? 'stop' };
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Releases the connection when the caller stops early.
    inner.abort();
  }
}

function streamEventError(event: ResponseStream): Error | undefined {
  if (event.ModelStreamError !== undefined) return Object.assign(new Error(event.ModelStreamError.Message ?? 'ModelStreamError'), { name: 'ModelStreamError', ErrorCode: event.ModelStreamError.ErrorCode });
  if (event.InternalStreamFailure !== undefined) return Object.assign(new Error(event.InternalStreamFailure.Message ?? 'InternalStreamFailure'), { name: 'InternalStreamFailure' });
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Whether the container refused the request's JSON-mode field (`response_format`), as TGI before
 * bare `json_object` does with a 422: "Failed to deserialize the JSON body into the target type:
 * response_format: missing field `value`" (huggingface/text-generation-inference issue #2899).
 */
function refusesJsonMode(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; OriginalMessage?: unknown; Message?: unknown; message?: unknown; OriginalStatusCode?: unknown };
  if (e.name !== 'ModelError') return false;
  const status = typeof e.OriginalStatusCode === 'number' ? e.OriginalStatusCode : undefined;
  if (status !== undefined && (status < 400 || status >= 500)) return false;
  const text = [e.OriginalMessage, e.Message, e.message].filter((m): m is string => typeof m === 'string').join(' ');
  return /response_format|grammar|json_object/i.test(text);
}

const MAX_DETAIL = 300;
const CREDENTIALS_HINT = 'Run `aws sso login` (or refresh your credentials), or set a profile for this endpoint.';

interface AwsErrorFields {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Message?: unknown;
  OriginalMessage?: unknown;
  OriginalStatusCode?: unknown;
  ErrorCode?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

/**
 * Maps anything the SDK throws to an `EndpointError` worded for the user. The container's own
 * message (ModelError, ModelStreamError) is included, truncated; credentials never are.
 */
export function toSageMakerError(error: unknown, endpointName: string | undefined, signal?: AbortSignal): EndpointError {
  if (error instanceof EndpointError) return error;
  const e: AwsErrorFields = typeof error === 'object' && error !== null ? error : {};
  const name = typeof e.name === 'string' ? e.name : '';
  const message = [e.Message, e.message].find((m): m is string => typeof m === 'string') ?? '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const requestId = typeof e.$metadata?.requestId === 'string' ? e.$metadata.requestId : undefined;
  const opts = { ...(status === undefined ? {} : { status }), ...(requestId === undefined ? {} : { requestId }), cause: error };
  const where = endpointName === undefined ? 'the list of endpoints' : `endpoint "${endpointName}"`;

  if (signal?.aborted === true || name === 'AbortError') return new EndpointError('cancelled', 'The request was cancelled.', { cause: error });
  switch (name) {
    case 'ModelError': {
      const original = typeof e.OriginalMessage === 'string' && e.OriginalMessage !== '' ? e.OriginalMessage : message;
      const originalStatus = typeof e.OriginalStatusCode === 'number' ? e.OriginalStatusCode : undefined;
      const detail = truncate(original, MAX_DETAIL);
      if (/too long|must be <=|context length|maximum context|max_input_length|input validation error: `inputs` tokens/i.test(original)) {
        return new EndpointError('context-too-long', `The prompt is too long for the model on ${where}: ${detail} Shorten the prompt or lower the most tokens to generate.`, opts);
      }
      if (originalStatus !== undefined && originalStatus >= 500) {
        return new EndpointError('server', `The model container on ${where} failed (${originalStatus}): ${detail} See its CloudWatch logs.`, opts);
      }
      return new EndpointError('bad-request', `The model container on ${where} rejected the request${originalStatus === undefined ? '' : ` (${originalStatus})`}: ${detail} Check the payload family for this endpoint.`, opts);
    }
    case 'ValidationError':
      if (/not found/i.test(message)) {
        return new EndpointError('not-found', `SageMaker has no ${where} in this region. Check the endpoint name and region, or pick one from the list of InService endpoints.`, opts);
      }
      return new EndpointError('bad-request', `SageMaker rejected the request to ${where}: ${truncate(message, MAX_DETAIL)}`, opts);
    case 'ModelStreamError': {
      const code = typeof e.ErrorCode === 'string' && e.ErrorCode !== '' ? ` (${e.ErrorCode})` : '';
      return new EndpointError('server', `The model on ${where} failed while streaming${code}: ${truncate(message, MAX_DETAIL)} Try again, or turn streaming off for this endpoint.`, opts);
    }
    case 'InternalStreamFailure':
      return new EndpointError('server', `SageMaker's stream from ${where} broke off. Try again.`, opts);
    case 'ModelNotReadyException':
      return new EndpointError('rate-limited', `The model on ${where} is not ready yet. Wait a minute and try again.`, opts);
    case 'ThrottlingException':
    case 'TooManyRequestsException':
      return new EndpointError('rate-limited', `SageMaker is throttling requests to ${where}. Wait and try again, or send fewer at once.`, opts);
    case 'AccessDeniedException':
      return new EndpointError('auth', `Your AWS identity may not invoke ${where} (sagemaker:InvokeEndpoint is denied). Use a profile or role that allows it. ${CREDENTIALS_HINT}`, opts);
    case 'ServiceUnavailable':
    case 'InternalFailure':
    case 'InternalDependencyException':
      return new EndpointError('server', `SageMaker could not serve ${where} just now (${name}). Try again shortly.`, opts);
    case 'TimeoutError':
      return new EndpointError('timeout', `The request to ${where} timed out. Try again, or ask for fewer tokens.`, opts);
    default:
      break;
  }
  if (AWS_AUTH_ERRORS.has(name) || /credential|sso session|expired token|security token/i.test(name === '' ? message : name)) {
    return new EndpointError('auth', `No valid AWS credentials for ${where}. ${CREDENTIALS_HINT}`, opts);
  }
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name) || (error instanceof TypeError && /fetch failed|network/i.test(message))) {
    return new EndpointError('network', `Could not reach SageMaker for ${where} (${code === '' ? name : code}). Check your network connection and region.`, opts);
  }
  if (status === 429) return new EndpointError('rate-limited', `SageMaker is throttling requests to ${where}. Wait and try again.`, opts);
  if (status !== undefined && status >= 500) return new EndpointError('server', `SageMaker failed serving ${where} (${status}). Try again shortly.`, opts);
  if (status !== undefined && status >= 400) return new EndpointError('bad-request', `SageMaker rejected the request to ${where} (${status}${name === '' ? '' : ` ${name}`}).`, opts);
  return new EndpointError('bad-response', `The request to ${where} failed unexpectedly${name === '' ? '' : ` (${name})`}.`, opts);
}

// ---------------------------------------------------------------------------------------------
// Control plane

export interface SageMakerEndpointInfo {
  readonly name: string;
  readonly status: string;
  readonly instanceType?: string;
  readonly created?: Date;
  /** The JumpStart model id it was deployed from (with `models`). */
  readonly modelId?: string;
  /** How its training job fine-tuned the model (with `models`). */
  readonly tuning?: Tuning;
}

/**
 * The account's endpoints in the client's region that are InService, newest first. With
 * `instanceTypes`, each endpoint's instance type is looked up too (DescribeEndpoint then
 * DescribeEndpointConfig, two calls per endpoint; left out where a lookup fails). With `models`
 * also the model behind it (see `sagemaker/discover.ts`: its JumpStart tag, and its training
 * job's hyperparameters).
 */
export async function listInServiceEndpoints(
  client: SageMakerClient,
  options: { readonly signal?: AbortSignal; readonly instanceTypes?: boolean; readonly models?: boolean } = {},
): Promise<SageMakerEndpointInfo[]> {
  const send = { ...(options.signal === undefined ? {} : { abortSignal: options.signal }) };
  const found: (SageMakerEndpointInfo & { arn?: string })[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(new ListEndpointsCommand({
        StatusEquals: 'InService', SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      }), send);
      for (const e of page.Endpoints ?? []) {
        if (e.EndpointName === undefined) continue;
        found.push({
          name: e.EndpointName, status: e.EndpointStatus ?? 'InService',
          ...(e.CreationTime === undefined ? {} : { created: e.CreationTime }), ...(e.EndpointArn === undefined ? {} : { arn: e.EndpointArn }),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
  } catch (e) {
    throw toSageMakerError(e, undefined, options.signal);
  }
  const plain = ({ arn: _arn, ...info }: SageMakerEndpointInfo & { arn?: string }): SageMakerEndpointInfo => info;
  if (options.instanceTypes !== true && options.models !== true) return found.map(plain);
  return Promise.all(found.map(async (entry) => {
    let info = plain(entry);
    let modelName: string | undefined;
    try {
      const endpoint = await client.send(new DescribeEndpointCommand({ EndpointName: info.name }), send);
      if (endpoint.EndpointConfigName !== undefined) {
        const config = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }), send);
        const variant = config.ProductionVariants?.find((v) => v.InstanceType !== undefined || v.ModelName !== undefined);
        modelName = variant?.ModelName;
        if (options.instanceTypes === true && variant?.InstanceType !== undefined) info = { ...info, instanceType: variant.InstanceType };
      }
    } catch {
      // Left out, as the doc says.
    }
    if (options.models !== true) return info;
    const [modelId, tuning] = await Promise.all([
      entry.arn === undefined ? undefined : jumpStartModelId(client, entry.arn, send),
      modelName === undefined ? undefined : tuningOf(client, modelName, send),
    ]);
    return { ...info, ...(modelId === undefined ? {} : { modelId }), ...(tuning === undefined ? {} : { tuning }) };
  }));
}
