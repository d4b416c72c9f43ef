/**
 * What SageMaker's control plane says about the model behind an endpoint, so a listed endpoint is
 * prompted as its model was trained: the JumpStart model id the SageMaker Python SDK tags it with,
 * and, when the model's artifacts come from a training job, how that job fine-tuned it.
 *
 * Sources:
 * - The tag: `JumpStartTag.MODEL_ID = "sagemaker-sdk:jumpstart-model-id"`, added to the endpoint and
 *   model a JumpStartModel or JumpStartEstimator deploys (sagemaker-python-sdk,
 *   src/sagemaker/jumpstart/enums.py and utils.py `add_jumpstart_model_info_tags`).
 * - The training job: the SDK writes a job's artifacts to `<output_path>/<job name>/output/model.tar.gz`
 *   (or `…/output/model/` with `disable_output_compression`, as AWS's Llama notebooks use), and a
 *   JumpStart fine-tune records `instruction_tuned` or `chat_dataset` ("True"/"False") among the
 *   job's hyperparameters (aws/amazon-sagemaker-examples, jumpstart-foundation-models/
 *   llama-3-finetuning.ipynb and llama3.1-fine-tuning.ipynb).
 *
 * Every lookup is best effort: a missing permission or a model of another origin leaves the fact
 * out, never fails the listing.
 */
import { DescribeModelCommand, DescribeTrainingJobCommand, ListTagsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Tuning } from './auto';

export const JUMPSTART_MODEL_ID_TAG = 'sagemaker-sdk:jumpstart-model-id';

type Send = { abortSignal?: AbortSignal };

/** The JumpStart model id an endpoint (or model) is tagged with. */
export async function jumpStartModelId(client: SageMakerClient, arn: string, send: Send): Promise<string | undefined> {
  try {
    const out = await client.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 100 }), send);
    const value = out.Tags?.find((t) => t.Key === JUMPSTART_MODEL_ID_TAG)?.Value;
    return value === undefined || value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/** The training job a model's artifacts came from, by the SDK's output layout; undefined otherwise. */
export function trainingJobOf(s3Uri: string): string | undefined {
  const m = /^s3:\/\/[^/]+\/(?:.*\/)?([^/]+)\/output\/model(?:\.tar\.gz|\/)?$/.exec(s3Uri);
  return m?.[1];
}

/** "True" / "\"True\"" (frameworks JSON-encode hyperparameters) as a boolean. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.replace(/^"|"$/g, '').toLowerCase() === 'true';
}

/** How the training job behind a SageMaker model fine-tuned it, when the model came from one. */
export async function tuningOf(client: SageMakerClient, modelName: string, send: Send): Promise<Tuning | undefined> {
  try {
    const model = await client.send(new DescribeModelCommand({ ModelName: modelName }), send);
    const container = model.PrimaryContainer ?? model.Containers?.[0];
    const uri = container?.ModelDataSource?.S3DataSource?.S3Uri ?? container?.ModelDataUrl;
    const job = uri === undefined ? undefined : trainingJobOf(uri);
    if (job === undefined) return undefined;
    const training = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: job }), send);
    const h = training.HyperParameters ?? {};
    if (isTrue(h.chat_dataset)) return 'chat';
    if (isTrue(h.instruction_tuned)) return 'instruction';
    return 'instruction_tuned' in h || 'chat_dataset' in h ? 'domain-adaptation' : undefined;
  } catch {
    return undefined;
  }
}
