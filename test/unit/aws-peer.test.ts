import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand, CreateModelCommand, CreateTrainingJobCommand, DescribeHubContentCommand, DescribeTrainingJobCommand, ListHubContentsCommand, SageMakerClient,
  StopTrainingJobCommand, type CreateTrainingJobCommandInput, type ProductionVariantInstanceType,
} from '@aws-sdk/client-sagemaker';
import { startMoto, type RunningMoto } from '../harness/moto';

// The real AWS SDK v3 clients against moto (test/harness/moto.ts), the way the training-runs
// feature will call AWS: every request is signed, serialized and parsed by the SDK itself.

let moto: RunningMoto | undefined;
const peer = (): RunningMoto => {
  assert.ok(moto, 'moto starts before the tests');
  return moto;
};

before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await peer().reset();
});

/** S3 parts must be at least 5 MiB, except the last (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html). */
const MIN_PART = 5 * 1024 * 1024;

void describe('moto as AWS: S3', () => {
  void it('a 12 MB dataset goes up in three parts and is listed, byte for byte, under its prefix', async () => {
    const s3 = new S3Client(peer().clientConfig);
    const bucket = 'tunelab-training';
    const key = 'runs/llama3-sweep/train/data.jsonl';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const body = randomBytes(12 * 1024 * 1024);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/jsonl' }));
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let offset = 0, n = 1; offset < body.length; offset += MIN_PART, n++) {
      const r = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: body.subarray(offset, offset + MIN_PART) }));
      assert.ok(r.ETag, `part ${n} has an ETag`);
      parts.push({ ETag: r.ETag, PartNumber: n });
    }
    assert.equal(parts.length, 3);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    // A multipart ETag is the MD5 of the parts' MD5s, then '-' and the part count.
    assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-3"$/);

    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'runs/other/never-finished.jsonl' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'runs/llama3-sweep/' }));
    assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.Size]), [[key, body.length]]);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await got.Body?.transformToByteArray();
    assert.ok(bytes && Buffer.from(bytes).equals(body), 'the object reads back as uploaded');
    s3.destroy();
  });

  void it('a part smaller than 5 MiB before the last is refused when the upload completes', async () => {
    const s3 = new S3Client(peer().clientConfig);
    await s3.send(new CreateBucketCommand({ Bucket: 'small-parts' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'small-parts', Key: 'k' }));
    const parts = [];
    for (const n of [1, 2]) {
      const r = await s3.send(new UploadPartCommand({ Bucket: 'small-parts', Key: 'k', UploadId, PartNumber: n, Body: randomBytes(1024 * 1024) }));
      parts.push({ ETag: r.ETag, PartNumber: n });
    }
    await assert.rejects(
      s3.send(new CompleteMultipartUploadCommand({ Bucket: 'small-parts', Key: 'k', UploadId, MultipartUpload: { Parts: parts } })),
      (err: Error) => err.name === 'EntityTooSmall',
    );
    s3.destroy();
  });
});

const ROLE_ARN = 'arn:aws:iam::123456789012:role/TuneLabSageMakerExecution';

/** What a JumpStart Llama 3 fine-tuning job sends (metric regexes as JumpStart's own, see launcher.py's hub fixture). */
function trainingJob(name: string): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    RoleArn: ROLE_ARN,
    AlgorithmSpecification: {
      TrainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04',
      TrainingInputMode: 'File',
      MetricDefinitions: [
        { Name: 'huggingface-textgeneration:eval-loss', Regex: 'eval_epoch_loss=tensor\\(([0-9\\.]+)' },
        { Name: 'huggingface-textgeneration:train-loss', Regex: 'train_epoch_loss=([0-9\\.]+)' },
      ],
    },
    HyperParameters: { epoch: '3', learning_rate: '0.0001', lora_r: '8', lora_alpha: '32', instruction_tuned: 'False', chat_dataset: 'True' },
    InputDataConfig: [{ ChannelName: 'training', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://tunelab-training/runs/llama3-sweep/train/' } } }],
    OutputDataConfig: { S3OutputPath: 's3://tunelab-training/runs/llama3-sweep/output/' },
    ResourceConfig: { InstanceType: 'ml.g5.12xlarge', InstanceCount: 1, VolumeSizeInGB: 256 },
    StoppingCondition: { MaxRuntimeInSeconds: 360000 },
  };
}

void describe('moto as AWS: SageMaker training jobs', () => {
  void it('CreateTrainingJob then DescribeTrainingJob keeps the caller\'s metric definitions, hyperparameters and instance type', async () => {
    const sm = new SageMakerClient(peer().clientConfig);
    const { TrainingJobArn } = await sm.send(new CreateTrainingJobCommand(trainingJob('llama3-e3-r8')));
    assert.equal(TrainingJobArn, 'arn:aws:sagemaker:us-east-1:123456789012:training-job/llama3-e3-r8');
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'llama3-e3-r8' }));
    assert.deepEqual(job.AlgorithmSpecification?.MetricDefinitions, trainingJob('x').AlgorithmSpecification?.MetricDefinitions);
    assert.equal(job.HyperParameters?.lora_r, '8');
    assert.equal(job.ResourceConfig?.InstanceType, 'ml.g5.12xlarge');
    assert.ok(job.CreationTime instanceof Date && !Number.isNaN(job.CreationTime.getTime()), 'timestamps parse as dates');
    sm.destroy();
  });

  void it('StopTrainingJob stops a running job, which then describes as Stopped after Stopping; a finished or unknown job is refused', async () => {
    const sm = new SageMakerClient(peer().clientConfig);
    await sm.send(new CreateTrainingJobCommand(trainingJob('to-stop')));
    await peer().setTrainingJobStatus({ TrainingJobName: 'to-stop', TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training' });
    assert.equal((await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'to-stop' }))).TrainingJobStatus, 'InProgress');
    await sm.send(new StopTrainingJobCommand({ TrainingJobName: 'to-stop' }));
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'to-stop' }));
    assert.equal(job.TrainingJobStatus, 'Stopped');
    assert.deepEqual(job.SecondaryStatusTransitions?.map((t) => t.Status).slice(-3), ['Training', 'Stopping', 'Stopped']);

    await sm.send(new CreateTrainingJobCommand(trainingJob('finished')));
    await assert.rejects(sm.send(new StopTrainingJobCommand({ TrainingJobName: 'finished' })), (err: Error) => err.name === 'ValidationException');
    await assert.rejects(sm.send(new StopTrainingJobCommand({ TrainingJobName: 'no-such-job' })), (err: Error) => err.name === 'ResourceNotFound');
    sm.destroy();
  });

  void it('a failed job describes with the reason the test gave it, and a completed one with its final metrics', async () => {
    const sm = new SageMakerClient(peer().clientConfig);
    await sm.send(new CreateTrainingJobCommand(trainingJob('no-capacity')));
    const reason = 'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.';
    await peer().setTrainingJobStatus({ TrainingJobName: 'no-capacity', TrainingJobStatus: 'Failed', FailureReason: reason });
    const failed = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'no-capacity' }));
    assert.deepEqual([failed.TrainingJobStatus, failed.FailureReason], ['Failed', reason]);

    await sm.send(new CreateTrainingJobCommand(trainingJob('done')));
    await peer().setTrainingJobStatus({
      TrainingJobName: 'done', TrainingJobStatus: 'Completed', FinalMetricDataList: [{ MetricName: 'huggingface-textgeneration:eval-loss', Value: 1.48 }],
    });
    const done = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'done' }));
    assert.deepEqual(done.FinalMetricDataList?.map((m) => [m.MetricName, m.Value]), [['huggingface-textgeneration:eval-loss', 1.48]]);
    sm.destroy();
  });

  void it('an endpoint config accepts the ml.g5 instance JumpStart deploys Llama 3 8B on', async () => {
    const sm = new SageMakerClient(peer().clientConfig);
    await sm.send(new CreateModelCommand({
      ModelName: 'llama3-ft',
      ExecutionRoleArn: ROLE_ARN,
      PrimaryContainer: { Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04', ModelDataUrl: 's3://tunelab-training/runs/llama3-sweep/output/llama3-e3-r8/output/model.tar.gz' },
    }));
    const r = await sm.send(new CreateEndpointConfigCommand({
      EndpointConfigName: 'llama3-ft-config',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'llama3-ft', InstanceType: 'ml.g5.2xlarge', InitialInstanceCount: 1 }],
    }));
    assert.match(r.EndpointConfigArn ?? '', /:endpoint-config\/llama3-ft-config$/);
    // Sizes outside the ml.g5 family's stay refused, as moto refuses them.
    await assert.rejects(sm.send(new CreateEndpointConfigCommand({
      EndpointConfigName: 'bad', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'llama3-ft', InstanceType: 'ml.g5.3xlarge' as ProductionVariantInstanceType, InitialInstanceCount: 1 }],
    })), (err: Error) => err.name === 'ValidationException');
    sm.destroy();
  });
});

void describe('moto as AWS: the public hub (JumpStart models)', () => {
  void it('ListHubContents on SageMakerPublicHub lists the Llama 3 8B model; DescribeHubContent gives its training spec', async () => {
    const sm = new SageMakerClient(peer().clientConfig);
    const list = await sm.send(new ListHubContentsCommand({ HubName: 'SageMakerPublicHub', HubContentType: 'Model' }));
    const names = list.HubContentSummaries?.map((s) => s.HubContentName) ?? [];
    assert.ok(names.includes('meta-textgeneration-llama-3-8b'), names.join(', '));
    const summary = list.HubContentSummaries?.find((s) => s.HubContentName === 'meta-textgeneration-llama-3-8b');
    assert.ok(summary?.CreationTime instanceof Date);

    const d = await sm.send(new DescribeHubContentCommand({ HubName: 'SageMakerPublicHub', HubContentType: 'Model', HubContentName: 'meta-textgeneration-llama-3-8b' }));
    assert.equal(d.HubContentStatus, 'Available');
    const doc = JSON.parse(d.HubContentDocument ?? '{}') as {
      TrainingSupported?: boolean;
      DefaultTrainingInstanceType?: string;
      Hyperparameters?: { Name: string; Default: unknown; Min?: number; Max?: number }[];
      TrainingMetrics?: { Name: string; Regex: string }[];
    };
    assert.equal(doc.TrainingSupported, true);
    assert.equal(doc.DefaultTrainingInstanceType, 'ml.g5.12xlarge');
    const epoch = doc.Hyperparameters?.find((h) => h.Name === 'epoch');
    assert.deepEqual(epoch && [epoch.Default, epoch.Min, epoch.Max], [5, 1, 1000]);
    assert.deepEqual(doc.TrainingMetrics?.map((m) => m.Name), [
      'huggingface-textgeneration:eval-loss', 'huggingface-textgeneration:eval-ppl', 'huggingface-textgeneration:train-loss',
    ]);

    await assert.rejects(
      sm.send(new DescribeHubContentCommand({ HubName: 'SageMakerPublicHub', HubContentType: 'Model', HubContentName: 'no-such-model' })),
      (err: Error) => err.name === 'ResourceNotFound',
    );
    sm.destroy();
  });
});

void describe('moto as AWS: CloudWatch metrics and logs of a training job', () => {
  void it('PutMetricData under /aws/sagemaker/TrainingJobs, then GetMetricData gives the train and eval loss per epoch', async () => {
    const cw = new CloudWatchClient(peer().clientConfig);
    const start = new Date(Date.now() - 60 * 60 * 1000);
    const at = (minutes: number): Date => new Date(start.getTime() + minutes * 60 * 1000);
    // Training metrics carry one dimension, Host = <job name>/algo-<instance number>
    // (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html), and are named
    // as the job's MetricDefinitions name them.
    const dims = [{ Name: 'Host', Value: 'llama3-e3-r8/algo-1' }];
    await cw.send(new PutMetricDataCommand({
      Namespace: '/aws/sagemaker/TrainingJobs',
      MetricData: [
        ...[1.62, 1.41, 1.29].map((v, i) => ({ MetricName: 'huggingface-textgeneration:train-loss', Dimensions: dims, Timestamp: at(10 * (i + 1)), Value: v })),
        ...[1.55, 1.48, 1.53].map((v, i) => ({ MetricName: 'huggingface-textgeneration:eval-loss', Dimensions: dims, Timestamp: at(10 * (i + 1)), Value: v })),
      ],
    }));
    const query = (id: string, name: string) => ({
      Id: id,
      MetricStat: { Metric: { Namespace: '/aws/sagemaker/TrainingJobs', MetricName: name, Dimensions: dims }, Period: 60, Stat: 'Average' },
    });
    const r = await cw.send(new GetMetricDataCommand({
      StartTime: start, EndTime: new Date(), MetricDataQueries: [query('train', 'huggingface-textgeneration:train-loss'), query('evalLoss', 'huggingface-textgeneration:eval-loss')], ScanBy: 'TimestampAscending',
    }));
    const series: Record<string, number[] | undefined> = Object.fromEntries((r.MetricDataResults ?? []).map((m) => [m.Id ?? '', m.Values]));
    assert.deepEqual(series, { train: [1.62, 1.41, 1.29], evalLoss: [1.55, 1.48, 1.53] });
    cw.destroy();
  });

  void it('PutLogEvents into /aws/sagemaker/TrainingJobs, then GetLogEvents reads the lines back in order', async () => {
    const logs = new CloudWatchLogsClient(peer().clientConfig);
    const group = '/aws/sagemaker/TrainingJobs';
    const stream = 'llama3-e3-r8/algo-1-1712345678';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const now = Date.now();
    const lines = [
      'Epoch 1: train_perplexity=5.0527, train_epoch_loss=1.6200, epoch time 812.1s',
      ' eval_ppl=tensor(4.7115, device=\'cuda:0\') eval_epoch_loss=tensor(1.5500, device=\'cuda:0\')',
    ];
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: lines.map((message, i) => ({ message, timestamp: now + i })) }));
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
    assert.deepEqual(got.events?.map((e) => e.message), lines);
    logs.destroy();
  });
});

void describe('moto as AWS: IAM roles', () => {
  void it('CreateRole with SageMaker\'s trust policy, then ListRoles shows it', async () => {
    const iam = new IAMClient(peer().clientConfig);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'TuneLabSageMakerExecution', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const { Roles } = await iam.send(new ListRolesCommand({}));
    const role = Roles?.find((r) => r.RoleName === 'TuneLabSageMakerExecution');
    assert.ok(role, 'the role is listed');
    assert.equal(role.Arn, ROLE_ARN);
    // IAM returns the trust policy URL-encoded (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
    assert.deepEqual(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument ?? '')), trust);
    iam.destroy();
  });
});
