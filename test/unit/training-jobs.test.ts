import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTrainingJobCommand, SageMakerClient, SageMakerServiceException, type CreateTrainingJobCommandInput, type TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { awsTrainingError } from '../../src/endpoints/training/awsErrors';
import { describeRun, listTrainingJobs, readRunCurves, stopTrainingJob, type TrainingRun } from '../../src/endpoints/training/sagemakerJobs';
import { EndpointError } from '../../src/endpoints/types';
import { startMoto, type RunningMoto } from '../harness/moto';

// The training-jobs endpoint with the real AWS SDK v3 clients against moto (test/harness/moto.ts).

let moto: RunningMoto | undefined;
const peer = (): RunningMoto => {
  assert.ok(moto, 'moto starts before the tests');
  return moto;
};
let sm: SageMakerClient;
let cloudwatch: CloudWatchClient;
let logs: CloudWatchLogsClient;

before(async () => {
  moto = await startMoto();
  sm = new SageMakerClient(moto.clientConfig);
  cloudwatch = new CloudWatchClient(moto.clientConfig);
  logs = new CloudWatchLogsClient(moto.clientConfig);
});
after(async () => {
  sm.destroy();
  cloudwatch.destroy();
  logs.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await peer().reset();
});

const ROLE_ARN = 'arn:aws:iam::123456789012:role/TuneLabSageMakerExecution';
/** JumpStart's Llama metric definitions (src/core/training/sagemakerCurves.ts cites their source). */
const LLAMA_METRICS = [
  { Name: 'huggingface-textgeneration:eval-loss', Regex: 'eval_epoch_loss=tensor\\(([0-9\\.]+)' },
  { Name: 'huggingface-textgeneration:eval-ppl', Regex: 'eval_ppl=tensor\\(([0-9\\.]+)' },
  { Name: 'huggingface-textgeneration:train-loss', Regex: 'train_epoch_loss=([0-9\\.]+)' },
];

/** A JumpStart Llama 3 fine-tuning job as the SageMaker Python SDK creates it. */
function llamaJob(name: string, instanceType: TrainingInstanceType = 'ml.g5.12xlarge'): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    RoleArn: ROLE_ARN,
    AlgorithmSpecification: {
      TrainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04',
      TrainingInputMode: 'File',
      MetricDefinitions: LLAMA_METRICS,
    },
    HyperParameters: { epoch: '6', learning_rate: '0.0001', lora_r: '8', lora_alpha: '32', chat_dataset: 'True' },
    InputDataConfig: [
      { ChannelName: 'training', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://tunelab-training/runs/${name}/train/` } } },
      { ChannelName: 'validation', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://tunelab-training/runs/${name}/validation/` } } },
    ],
    OutputDataConfig: { S3OutputPath: `s3://tunelab-training/runs/${name}/output/` },
    ResourceConfig: { InstanceType: instanceType, InstanceCount: 1, VolumeSizeInGB: 256 },
    StoppingCondition: { MaxRuntimeInSeconds: 360000 },
  };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Six epochs of a run that overfits: train loss keeps falling, eval loss bottoms out at epoch 3. */
const TRAIN = [1.62, 1.35, 1.12, 0.91, 0.72, 0.55];
const EVAL = [1.55, 1.42, 1.38, 1.44, 1.52, 1.61];

/**
 * moto stamps a job's CreationTime at once, so a run that has trained for 90 minutes is the
 * described job with an earlier creation time; its epochs are 10 minutes apart.
 */
async function ninetyMinuteRun(name: string): Promise<{ run: TrainingRun; epochAt: (i: number) => Date }> {
  await sm.send(new CreateTrainingJobCommand(llamaJob(name)));
  const described = await describeRun(sm, name);
  const created = new Date(Date.now() - 90 * 60_000);
  return { run: { ...described, created }, epochAt: (i) => new Date(created.getTime() + (i + 1) * 10 * 60_000) };
}

void describe('training jobs: list, describe, stop', () => {
  void it('lists every job over several pages, newest first, with instance type and failure reason; filters by status and name', async () => {
    const names = ['llama3-e2-r8', 'llama3-e3-r8', 'llama3-e3-r16', 'gemma-e3', 'llama3-e5-r8'];
    for (const name of names) {
      await sm.send(new CreateTrainingJobCommand(llamaJob(name, name.startsWith('gemma') ? 'ml.g5.2xlarge' : 'ml.g5.12xlarge')));
      await pause(15); // distinct creation times
    }
    const reason = 'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.';
    await peer().setTrainingJobStatus({ TrainingJobName: 'llama3-e3-r16', TrainingJobStatus: 'Failed', FailureReason: reason });
    await peer().setTrainingJobStatus({ TrainingJobName: 'llama3-e5-r8', TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training' });

    const jobs = await listTrainingJobs(sm, { pageSize: 2 });
    assert.deepEqual(jobs.map((j) => j.name), [...names].reverse());
    const newest = jobs[0];
    assert.ok(newest);
    assert.deepEqual([newest.status, newest.secondaryStatus, newest.instanceType, newest.instanceCount], ['InProgress', 'Training', 'ml.g5.12xlarge', 1]);
    assert.equal(jobs.find((j) => j.name === 'gemma-e3')?.instanceType, 'ml.g5.2xlarge');
    assert.equal(jobs.find((j) => j.name === 'llama3-e3-r16')?.failureReason, reason);
    assert.ok(jobs.every((j, i) => i === 0 || (jobs[i - 1]?.created.getTime() ?? 0) >= j.created.getTime()), 'newest first');

    assert.deepEqual((await listTrainingJobs(sm, { statusFilter: 'Failed' })).map((j) => j.name), ['llama3-e3-r16']);
    assert.deepEqual((await listTrainingJobs(sm, { nameContains: 'e3' })).map((j) => j.name), ['gemma-e3', 'llama3-e3-r16', 'llama3-e3-r8']);
  });

  void it('describes a run: hyperparameters, metric definitions, channels, output path, status and billable time', async () => {
    await sm.send(new CreateTrainingJobCommand(llamaJob('llama3-e6-r8')));
    const run = await describeRun(sm, 'llama3-e6-r8');
    assert.equal(run.name, 'llama3-e6-r8');
    assert.equal(run.status, 'Completed');
    assert.deepEqual(run.hyperparameters, { epoch: '6', learning_rate: '0.0001', lora_r: '8', lora_alpha: '32', chat_dataset: 'True' });
    assert.deepEqual(run.metricDefinitions, LLAMA_METRICS);
    assert.deepEqual(run.inputChannels, [
      { name: 'training', s3Uri: 's3://tunelab-training/runs/llama3-e6-r8/train/' },
      { name: 'validation', s3Uri: 's3://tunelab-training/runs/llama3-e6-r8/validation/' },
    ]);
    assert.equal(run.outputPath, 's3://tunelab-training/runs/llama3-e6-r8/output/');
    assert.equal(run.billableSeconds, undefined, 'moto does not report billable time');
    assert.equal(run.failureReason, undefined);
  });

  void it('a finished job\'s billable seconds and end time come from DescribeTrainingJob as AWS sends them', async () => {
    // AWS's answer, serialized as SageMaker's JSON protocol sends it (epoch seconds for times), parsed by the real client.
    const body = JSON.stringify({
      TrainingJobName: 'llama3-e3-r8', TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed',
      CreationTime: 1764770400, TrainingEndTime: 1764785400.5, BillableTimeInSeconds: 13_970,
      ResourceConfig: { InstanceType: 'ml.g5.12xlarge', InstanceCount: 2, VolumeSizeInGB: 256 },
      HyperParameters: { epoch: '3' }, AlgorithmSpecification: { TrainingInputMode: 'File' },
    });
    const canned = new SageMakerClient({
      region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      requestHandler: {
        handle: () => Promise.resolve({ response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(body)]) } }),
      },
    });
    const run = await describeRun(canned, 'llama3-e3-r8');
    canned.destroy();
    assert.equal(run.billableSeconds, 13_970);
    assert.equal(run.ended?.toISOString(), '2025-12-03T18:10:00.500Z');
    assert.equal(run.created.toISOString(), '2025-12-03T14:00:00.000Z');
    assert.deepEqual([run.instanceType, run.instanceCount, run.status], ['ml.g5.12xlarge', 2, 'Completed']);
    assert.deepEqual([run.inputChannels, run.metricDefinitions, run.outputPath], [[], [], undefined]);
  });

  void it('stops a job in progress; a finished job and an unknown one are refused with a message that says why', async () => {
    await sm.send(new CreateTrainingJobCommand(llamaJob('to-stop')));
    await peer().setTrainingJobStatus({ TrainingJobName: 'to-stop', TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training' });
    await stopTrainingJob(sm, 'to-stop');
    assert.equal((await describeRun(sm, 'to-stop')).status, 'Stopped');

    await assert.rejects(stopTrainingJob(sm, 'to-stop'), (err: unknown) => {
      assert.ok(err instanceof EndpointError);
      assert.equal(err.kind, 'bad-request');
      assert.equal(err.message, 'The training job to-stop is stopped, so there is nothing to stop: only a job in progress can be stopped.');
      return true;
    });
    await assert.rejects(stopTrainingJob(sm, 'no-such-job'), (err: unknown) => {
      assert.ok(err instanceof EndpointError);
      assert.equal(err.kind, 'not-found');
      assert.equal(err.message, 'No training job named no-such-job in this region: check its name and the AWS region.');
      return true;
    });
  });

  void it('a cancelled listing ends with a cancelled error, not an AWS one', async () => {
    await sm.send(new CreateTrainingJobCommand(llamaJob('llama3-e3-r8')));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(listTrainingJobs(sm, { signal: controller.signal }), (err: unknown) => err instanceof EndpointError && err.kind === 'cancelled');
  });

  void it('describing a job that does not exist names the job', async () => {
    await assert.rejects(describeRun(sm, 'llama3-typo'), (err: unknown) => err instanceof EndpointError && err.kind === 'not-found' && err.message.includes('llama3-typo'));
  });
});

void describe('training jobs: curves and the overfitting flag', () => {
  void it('reads the curves from CloudWatch metrics (Host = <job>/algo-1) and flags the overfitting, preferring epoch 3', async () => {
    const { run, epochAt } = await ninetyMinuteRun('llama3-e6-r8');
    const dims = [{ Name: 'Host', Value: 'llama3-e6-r8/algo-1' }];
    await cloudwatch.send(new PutMetricDataCommand({
      Namespace: '/aws/sagemaker/TrainingJobs',
      MetricData: [
        ...TRAIN.map((v, i) => ({ MetricName: 'huggingface-textgeneration:train-loss', Dimensions: dims, Timestamp: epochAt(i), Value: v })),
        ...EVAL.map((v, i) => ({ MetricName: 'huggingface-textgeneration:eval-loss', Dimensions: dims, Timestamp: epochAt(i), Value: v })),
        // Another host's and another job's metrics are not this run's.
        { MetricName: 'huggingface-textgeneration:eval-loss', Dimensions: [{ Name: 'Host', Value: 'llama3-e6-r8/algo-2' }], Timestamp: epochAt(0), Value: 9 },
        { MetricName: 'huggingface-textgeneration:eval-loss', Dimensions: [{ Name: 'Host', Value: 'other/algo-1' }], Timestamp: epochAt(1), Value: 9 },
      ],
    }));
    const result = await readRunCurves({ logs, cloudwatch }, run);
    assert.equal(result.source, 'metrics');
    assert.deepEqual(result.curves['train-loss']?.map((p) => [p.epoch, p.value]), TRAIN.map((v, i) => [i + 1, v]));
    assert.deepEqual(result.curves['eval-loss']?.map((p) => [p.epoch, p.value]), EVAL.map((v, i) => [i + 1, v]));
    assert.equal(result.overfitting.verdict, 'overfitting');
    assert.equal(result.overfitting.prefer?.epoch, 3);
    assert.match(result.overfitting.headline, /^Overfitting: Eval loss rose .* from its minimum 1\.380 at epoch 3 to 1\.610 while train loss kept falling/);
  });

  void it('with no metric published, reads the first host\'s log stream through the job\'s metric definitions', async () => {
    const { run } = await ninetyMinuteRun('llama3-e6-logs');
    const group = '/aws/sagemaker/TrainingJobs';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    // llama-recipes prints each epoch's evaluation, then the epoch's summary (rank 0 only).
    const lines = TRAIN.flatMap((t, i) => [
      `Training Epoch: ${i + 1}/6, step 120/120 completed (loss: ${t.toFixed(4)})`,
      ` eval_ppl=tensor(${Math.exp(EVAL[i] ?? 0).toFixed(4)}, device='cuda:0') eval_epoch_loss=tensor(${(EVAL[i] ?? 0).toFixed(4)}, device='cuda:0')`,
      `Epoch ${i + 1}: train_perplexity=${Math.exp(t).toFixed(4)}, train_epoch_loss=${t.toFixed(4)}, epoch time 812.1s`,
    ]);
    const start = Date.now() - 60 * 60_000;
    for (const [stream, text] of [['llama3-e6-logs/algo-1-1764790000', lines], ['llama3-e6-logs/algo-2-1764790000', ['eval_epoch_loss=tensor(9.0000)']]] as const) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: text.map((message, i) => ({ message, timestamp: start + i * 1000 })) }));
    }
    const result = await readRunCurves({ logs, cloudwatch }, run);
    assert.equal(result.source, 'logs');
    assert.deepEqual(result.curves['eval-loss']?.map((p) => [p.epoch, p.value]), EVAL.map((v, i) => [i + 1, v]));
    assert.deepEqual(result.curves['train-loss']?.map((p) => [p.epoch, p.value]), TRAIN.map((v, i) => [i + 1, v]));
    assert.equal(result.curves['eval-perplexity']?.length, 6);
    assert.equal(result.overfitting.verdict, 'overfitting');
    assert.equal(result.overfitting.prefer?.epoch, 3);
  });

  void it('a job with neither metrics nor logs has no curves and says there is no eval loss', async () => {
    const { run } = await ninetyMinuteRun('llama3-silent');
    const result = await readRunCurves({ logs, cloudwatch }, run);
    assert.equal(result.source, 'none');
    assert.deepEqual(result.curves, {});
    assert.equal(result.overfitting.verdict, 'no-eval');
  });
});

void describe('training jobs: AWS errors worded for the user', () => {
  const sdkError = (name: string, status: number): SageMakerServiceException =>
    new SageMakerServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: `${name} from AWS` });

  void it('access denied names the permission to grant', () => {
    const err = awsTrainingError(sdkError('AccessDeniedException', 400), { action: 'sagemaker:ListTrainingJobs' });
    assert.equal(err.kind, 'auth');
    assert.equal(err.message, 'AWS denied sagemaker:ListTrainingJobs: give your IAM user or role the sagemaker:ListTrainingJobs permission, then try again.');
  });

  void it('throttling says to retry later and is retryable', () => {
    const err = awsTrainingError(sdkError('ThrottlingException', 400), { action: 'sagemaker:DescribeTrainingJob', job: 'llama3-e3-r8' });
    assert.equal(err.kind, 'rate-limited');
    assert.equal(err.message, 'AWS is throttling sagemaker:DescribeTrainingJob requests: retry in a minute.');
  });

  void it('DescribeTrainingJob\'s "Requested resource not found." (a ValidationException) reads as a missing job', () => {
    const err = awsTrainingError(sdkError('ValidationException', 400), { action: 'sagemaker:DescribeTrainingJob', job: 'llama3-e3-r8' });
    assert.equal(err.kind, 'bad-request', 'any other validation error stays one');
    const missing = new SageMakerServiceException({ name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Requested resource not found.' });
    const mapped = awsTrainingError(missing, { action: 'sagemaker:DescribeTrainingJob', job: 'llama3-e3-r8' });
    assert.equal(mapped.kind, 'not-found');
    assert.equal(mapped.message, 'No training job named llama3-e3-r8 in this region: check its name and the AWS region.');
  });

  void it('an unknown job names the job', () => {
    const err = awsTrainingError(sdkError('ResourceNotFound', 400), { action: 'sagemaker:DescribeTrainingJob', job: 'llama3-e3-r8' });
    assert.equal(err.kind, 'not-found');
    assert.match(err.message, /No training job named llama3-e3-r8/);
  });
});
