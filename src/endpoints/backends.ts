/**
 * The network backends, bundled on their own (dist/endpoints.js): the openai client and three AWS
 * SDK clients are most of a megabyte, which the extension loads on the first call to an
 * endpoint instead of at activation (most sessions only lint). The scheduler comes from here
 * too: it tells retryable errors by `instanceof EndpointError`, so it must share this bundle's
 * copy of the class with the backends that throw them.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createEndpoint } from './factory';
import { askThrough } from './generateRun';
import { listModels } from './openai';
import { listInServiceEndpoints, type SageMakerEndpointInfo } from './sagemaker';
import { scheduleChat, Scheduler } from './scheduler';

/** The InService SageMaker endpoints of a region, with their instance types and the models behind them. */
async function listSageMakerEndpoints(region: string, profile: string | undefined, signal?: AbortSignal): Promise<SageMakerEndpointInfo[]> {
  const client = new SageMakerClient({ region, ...(profile === undefined ? {} : { profile }) });
  return listInServiceEndpoints(client, { instanceTypes: true, models: true, signal });
}

export interface EndpointBackends {
  readonly createEndpoint: typeof createEndpoint;
  readonly listModels: typeof listModels;
  readonly listSageMakerEndpoints: typeof listSageMakerEndpoints;
  readonly Scheduler: typeof Scheduler;
  readonly scheduleChat: typeof scheduleChat;
  readonly askThrough: typeof askThrough;
}

export const backends: EndpointBackends = { createEndpoint, listModels, listSageMakerEndpoints, Scheduler, scheduleChat, askThrough };
