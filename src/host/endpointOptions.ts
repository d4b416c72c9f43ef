import { kindLabel, type EndpointConfig } from '../endpoints/config';
import { samplingLimit } from '../endpoints/bedrockModels';
import { payloadFor } from '../endpoints/sagemaker/auto';
import type { EndpointOption } from '../core/protocol';
import type { EndpointRegistry } from './endpoints';

/** Bedrock's Converse API has no sampling seed; every other backend passes one on. */
export function supportsSeed(config: EndpointConfig): boolean {
  return config.kind !== 'bedrock';
}

/** Whether the endpoint with this id honours a seed (an unknown id does not). */
export function seedSupport(registry: EndpointRegistry): (id: string) => boolean {
  return (id) => {
    const config = registry.get(id);
    return config !== undefined && supportsSeed(config);
  };
}

export function endpointOption(config: EndpointConfig, live: boolean): EndpointOption {
  // A SageMaker endpoint shows its name and, where known, the model behind it.
  const targets = config.kind === 'sagemaker' ? [config.endpointName, config.model] : [config.model ?? config.deployment];
  const detail = [kindLabel(config.kind), ...targets, config.region].filter((s) => s !== undefined && s !== '').join(' · ');
  const topPUnused = config.kind === 'bedrock' && config.model !== undefined ? samplingLimit(config.model) : undefined;
  return { id: config.id, label: config.label, detail, seed: supportsSeed(config), live, ...(topPUnused === undefined ? {} : { topPUnused }) };
}

/** The panel's endpoint list: the configured ones, then SageMaker's live ones. */
export function endpointOptions(registry: EndpointRegistry): EndpointOption[] {
  return [
    ...registry.endpoints.map((e) => endpointOption(e, false)),
    ...registry.liveEndpoints.map((e) => endpointOption(e, true)),
  ];
}

/**
 * Where to look for live SageMaker endpoints: the regions (and profiles) of the SageMaker
 * endpoints already configured, else the AWS region of the environment, else us-east-1.
 */
export function sageMakerRegions(registry: EndpointRegistry, env: NodeJS.ProcessEnv): { region: string; profile: string | undefined }[] {
  const seen = new Map<string, { region: string; profile: string | undefined }>();
  for (const e of registry.endpoints) {
    if (e.kind !== 'sagemaker') continue;
    const region = e.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    seen.set(`${region}\n${e.profile ?? ''}`, { region, profile: e.profile });
  }
  if (seen.size === 0) {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    seen.set(region, { region, profile: env.AWS_PROFILE });
  }
  return [...seen.values()];
}

/** Lists InService SageMaker endpoints in those regions as session endpoints of the registry. */
export async function refreshLiveSageMaker(registry: EndpointRegistry, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<string[]> {
  const { listSageMakerEndpoints } = await registry.backends();
  const configured = new Set(registry.endpoints.filter((e) => e.kind === 'sagemaker').map((e) => `${e.region ?? ''}\n${e.endpointName ?? ''}`));
  const live: EndpointConfig[] = [];
  const problems: string[] = [];
  for (const { region, profile } of sageMakerRegions(registry, env)) {
    try {
      for (const info of await listSageMakerEndpoints(region, profile, signal)) {
        if (configured.has(`${region}\n${info.name}`)) continue;
        live.push({
          id: `sagemaker:${region}:${info.name}`,
          kind: 'sagemaker',
          label: `${info.name} (SageMaker, live)`,
          endpointName: info.name,
          // Prompted as its model was trained, where the listing could tell (see discover.ts).
          payload: payloadFor(info),
          ...(info.modelId === undefined ? {} : { model: info.modelId }),
          acceptEula: false,
          region,
          ...(profile === undefined ? {} : { profile }),
          defaults: {},
          rateLimits: {},
        });
      }
    } catch (err) {
      problems.push(`${region}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  registry.setLive(live);
  return problems;
}
