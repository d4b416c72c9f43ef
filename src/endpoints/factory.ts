/**
 * Builds the ChatEndpoint for a declared endpoint. The key (for the kinds that use one) comes
 * from the caller, who keeps it in secret storage; AWS kinds use the AWS credential chain
 * (environment, shared config and SSO, the named profile). The endpoint carries its time limits
 * (`timeouts` in its entry, else the defaults) for the scheduler, which enforces them.
 */
import { createBedrockEndpoint } from './bedrock';
import { DEFAULT_AZURE_API_VERSION, type EndpointConfig } from './config';
import { createAzureOpenAIEndpoint, createOpenAIEndpoint, isReasoningModel } from './openai';
import { createSageMakerEndpoint } from './sagemaker';
import type { JumpStartTemplate } from './sagemaker/payloads';
import { replyTimeouts } from './scheduler/timeouts';
import type { ChatEndpoint } from './types';

export function createEndpoint(config: EndpointConfig, apiKey: string | undefined, template?: JumpStartTemplate): ChatEndpoint {
  const endpoint = createBackend(config, apiKey, template);
  // A reasoning model is silent while it thinks (Chat Completions streams no reasoning), so its idle
  // limit is longer; the name is what tells (the o-series and gpt-5, see isReasoningModel).
  const named = config.kind === 'openai' || config.kind === 'openai-compatible' ? config.model : config.kind === 'azure-openai' ? config.deployment : undefined;
  const timeouts = replyTimeouts(config.timeouts, named !== undefined && isReasoningModel(named));
  return { id: endpoint.id, timeouts, chat: (request, signal, options) => endpoint.chat(request, signal, options) };
}

function createBackend(config: EndpointConfig, apiKey: string | undefined, template?: JumpStartTemplate): ChatEndpoint {
  switch (config.kind) {
    case 'openai':
      return createOpenAIEndpoint({ id: config.id, apiKey, model: config.model ?? '', baseURL: config.url });
    case 'openai-compatible':
      return createOpenAIEndpoint({ id: config.id, apiKey, model: config.model ?? '', baseURL: config.url, headers: config.headers });
    case 'azure-openai':
      return createAzureOpenAIEndpoint({
        id: config.id, endpoint: config.url ?? '', deployment: config.deployment ?? '', apiVersion: config.apiVersion ?? DEFAULT_AZURE_API_VERSION, apiKey: apiKey ?? '',
      });
    case 'sagemaker':
      return createSageMakerEndpoint({
        id: config.id, endpointName: config.endpointName ?? '', region: config.region, profile: config.profile,
        family: config.payload ?? 'auto', acceptEula: config.acceptEula, template, model: config.model,
      });
    case 'bedrock':
      return createBedrockEndpoint({ id: config.id, modelId: config.model ?? '', region: config.region, profile: config.profile });
  }
}
