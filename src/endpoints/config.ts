/**
 * The endpoints a user declares in the `tunelab.endpoints` setting: parsed and checked, with
 * mistakes worded for the user instead of thrown. Pure; keys are never part of this (they live
 * in the editor's secret storage, by endpoint id).
 */

export const ENDPOINT_KINDS = ['openai', 'azure-openai', 'openai-compatible', 'sagemaker', 'bedrock'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/**
 * The Azure OpenAI api-version an endpoint gets when its entry names none: one that serves the
 * reasoning models too (o1 and o3-mini need 2024-12-01-preview or later; o3, o4-mini and the gpt-5
 * family 2025-04-01-preview), where the GA 2024-10-21 answers 400 "Model … is enabled only for api
 * versions … and later". Sources: learn.microsoft.com/azure/ai-foundry/openai/how-to/reasoning
 * ("API & feature support") and learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle
 * (2025-04-01-preview, the last dated API before the v1 API).
 */
export const DEFAULT_AZURE_API_VERSION = '2025-04-01-preview';

export const SAGEMAKER_PAYLOADS = ['auto', 'jumpstart-text', 'llama3-chat', 'tgi', 'messages'] as const;
export type SageMakerPayload = (typeof SAGEMAKER_PAYLOADS)[number];

export interface EndpointDefaults { readonly temperature?: number; readonly topP?: number; readonly maxTokens?: number }
export interface EndpointRateLimits { readonly maxConcurrent?: number; readonly requestsPerMinute?: number; readonly tokensPerMinute?: number }
/**
 * How long one attempt at a reply may run, in seconds: `idleSeconds` without a byte of it (before
 * the first, or between two), `totalSeconds` in all. Unset: the defaults in
 * src/endpoints/scheduler/timeouts.ts (idle 120 s, 600 s for reasoning models; total 30 min).
 */
export interface EndpointTimeouts { readonly idleSeconds?: number; readonly totalSeconds?: number }

/** The most an entry's `timeouts` may ask for: a day (MAX_TIMEOUT_SECONDS in scheduler/timeouts.ts, kept pure here). */
const MAX_TIMEOUT_SECONDS = 86_400;

export interface EndpointConfig {
  readonly id: string;
  readonly kind: EndpointKind;
  readonly label: string;
  /** OpenAI-compatible: the base URL (…/v1); Azure: the resource endpoint (https://….openai.azure.com). */
  readonly url?: string;
  /**
   * OpenAI, OpenAI-compatible: the model; Bedrock: the model id; SageMaker: the model behind the
   * endpoint (a JumpStart model id such as `meta-textgeneration-llama-3-1-8b-instruct`, or a Hugging
   * Face id), which tells `auto` a chat model from a base one and picks the Llama 3.x template.
   */
  readonly model?: string;
  /** Azure OpenAI. */
  readonly deployment?: string;
  readonly apiVersion?: string;
  /** SageMaker. */
  readonly endpointName?: string;
  readonly payload?: SageMakerPayload;
  readonly acceptEula?: boolean;
  /**
   * SageMaker `jumpstart-text`: the `template.json` the model was fine-tuned with (a path;
   * `${workspaceFolder}` is replaced by the first workspace folder). Default: JumpStart's own.
   */
  readonly template?: string;
  /** SageMaker and Bedrock: AWS region and named profile (else the default credential chain). */
  readonly region?: string;
  readonly profile?: string;
  /** OpenAI-compatible: extra HTTP headers (e.g. a gateway's routing header). Not for keys: use Set Endpoint Key. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly defaults: EndpointDefaults;
  readonly rateLimits: EndpointRateLimits;
  /** Unset (as for live SageMaker entries): the default limits. */
  readonly timeouts?: EndpointTimeouts;
}

/**
 * Names the model behind an endpoint for caches of a judge's verdicts and scores: its id and
 * model (or deployment, or SageMaker endpoint), so pointing an id at another model judges again.
 */
export function judgeNameOf(config: EndpointConfig): string {
  return `${config.id}/${config.model ?? config.deployment ?? config.endpointName ?? config.kind}`;
}

/** Whether the kind authenticates with an API key kept in secret storage (AWS kinds use the AWS credential chain). */
export function usesApiKey(kind: EndpointKind): 'required' | 'optional' | 'none' {
  if (kind === 'openai' || kind === 'azure-openai') return 'required';
  if (kind === 'openai-compatible') return 'optional';
  return 'none';
}

export function kindLabel(kind: EndpointKind): string {
  switch (kind) {
    case 'openai': return 'OpenAI';
    case 'azure-openai': return 'Azure OpenAI';
    case 'openai-compatible': return 'OpenAI-compatible server';
    case 'sagemaker': return 'Amazon SageMaker';
    case 'bedrock': return 'Amazon Bedrock';
  }
}

type Raw = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const num = (v: unknown, min: number, max: number): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : undefined);

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parses the raw setting: invalid entries are skipped and each mistake is reported once. */
export function parseEndpoints(raw: unknown): { endpoints: EndpointConfig[]; problems: string[] } {
  const problems: string[] = [];
  const endpoints: EndpointConfig[] = [];
  if (raw === undefined || raw === null) return { endpoints, problems };
  if (!Array.isArray(raw)) {
    return { endpoints, problems: ['tunelab.endpoints must be a list of endpoints, e.g. [{ "id": "local", "kind": "openai-compatible", "url": "http://127.0.0.1:11434/v1", "model": "llama3.1:8b" }].'] };
  }
  const ids = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const where = `tunelab.endpoints[${i}]`;
    if (!isObject(entry)) { problems.push(`${where} must be an object with at least "id" and "kind".`); return; }
    const id = str(entry.id);
    if (id === undefined || !ID.test(id)) { problems.push(`${where}: "id" must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.`); return; }
    if (ids.has(id)) { problems.push(`${where}: the id "${id}" is used twice; ids must be unique (keys are stored by id).`); return; }
    const kind = ENDPOINT_KINDS.find((k) => k === entry.kind);
    if (kind === undefined) { problems.push(`${where} ("${id}"): "kind" must be one of ${ENDPOINT_KINDS.join(', ')}.`); return; }
    const config = build(id, kind, entry, `${where} ("${id}")`, problems);
    if (config === undefined) return;
    ids.add(id);
    endpoints.push(config);
  });
  return { endpoints, problems };
}

function headers(raw: unknown, where: string, problems: string[]): Readonly<Record<string, string>> | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    problems.push(`${where}: "headers" must be an object of header name → text; it is ignored.`);
    return undefined;
  }
  return raw as Readonly<Record<string, string>>;
}

/**
 * An entry's `timeouts`; a value out of range is reported and left to its default (the endpoint
 * still works, only that limit is the usual one).
 */
function timeouts(raw: unknown, where: string, problems: string[]): EndpointTimeouts {
  if (raw === undefined) return {};
  if (!isObject(raw)) {
    problems.push(`${where}: "timeouts" must be an object, e.g. { "idleSeconds": 600, "totalSeconds": 3600 }; the default limits apply.`);
    return {};
  }
  const seconds = (key: 'idleSeconds' | 'totalSeconds'): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    const n = num(v, 1, MAX_TIMEOUT_SECONDS);
    if (n === undefined) problems.push(`${where}: "timeouts.${key}" must be a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}; the default applies.`);
    return n;
  };
  const idleSeconds = seconds('idleSeconds');
  const totalSeconds = seconds('totalSeconds');
  for (const key of Object.keys(raw)) {
    if (key !== 'idleSeconds' && key !== 'totalSeconds') problems.push(`${where}: "timeouts" has no "${key}"; it takes "idleSeconds" and "totalSeconds".`);
  }
  if (idleSeconds !== undefined && totalSeconds !== undefined && idleSeconds > totalSeconds) {
    problems.push(`${where}: "timeouts.idleSeconds" (${idleSeconds}) is longer than "totalSeconds" (${totalSeconds}), so the total limit stops a silent reply first; lower idleSeconds or raise totalSeconds.`);
  }
  return { ...(idleSeconds === undefined ? {} : { idleSeconds }), ...(totalSeconds === undefined ? {} : { totalSeconds }) };
}

function build(id: string, kind: EndpointKind, e: Raw, where: string, problems: string[]): EndpointConfig | undefined {
  const need = (key: string, what: string): string | undefined => {
    const v = str(e[key]);
    if (v === undefined) problems.push(`${where}: ${kindLabel(kind)} needs "${key}" (${what}).`);
    return v;
  };
  const url = str(e.url);
  if (url !== undefined && !/^https?:\/\/[^\s/]+/i.test(url)) {
    problems.push(`${where}: "url" must be an http(s) URL, e.g. http://127.0.0.1:11434/v1.`);
    return undefined;
  }
  const defaults = isObject(e.defaults) ? e.defaults : {};
  const limits = isObject(e.rateLimits) ? e.rateLimits : {};
  const base = {
    id, kind, label: str(e.label) ?? id,
    defaults: { temperature: num(defaults.temperature, 0, 2), topP: num(defaults.topP, 0, 1), maxTokens: num(defaults.maxTokens, 1, 1_000_000) },
    rateLimits: {
      maxConcurrent: num(limits.maxConcurrent, 1, 256),
      requestsPerMinute: num(limits.requestsPerMinute, 1, 1_000_000),
      tokensPerMinute: num(limits.tokensPerMinute, 1, 1_000_000_000),
    },
    timeouts: timeouts(e.timeouts, where, problems),
  };
  switch (kind) {
    case 'openai': {
      const model = need('model', 'e.g. "gpt-4o-mini"');
      return model === undefined ? undefined : { ...base, model, url };
    }
    case 'openai-compatible': {
      const u = need('url', 'the server\'s base URL, e.g. "http://127.0.0.1:11434/v1"');
      const model = need('model', 'the model name the server knows');
      return u === undefined || model === undefined ? undefined : { ...base, url: u, model, headers: headers(e.headers, where, problems) };
    }
    case 'azure-openai': {
      const u = need('url', 'the resource endpoint, e.g. "https://my-resource.openai.azure.com"');
      const deployment = need('deployment', 'the deployment name');
      if (u === undefined || deployment === undefined) return undefined;
      return { ...base, url: u, deployment, apiVersion: str(e.apiVersion) ?? DEFAULT_AZURE_API_VERSION };
    }
    case 'sagemaker': {
      const endpointName = need('endpointName', 'the SageMaker endpoint\'s name');
      if (endpointName === undefined) return undefined;
      const payload = SAGEMAKER_PAYLOADS.find((p) => p === e.payload) ?? 'auto';
      return { ...base, endpointName, payload, acceptEula: e.acceptEula === true, template: str(e.template), model: str(e.model), region: str(e.region), profile: str(e.profile) };
    }
    case 'bedrock': {
      const model = need('model', 'the Bedrock model id, e.g. "meta.llama3-1-70b-instruct-v1:0"');
      return model === undefined ? undefined : { ...base, model, region: str(e.region), profile: str(e.profile) };
    }
  }
}
