/**
 * SageMaker training jobs for the training-runs views: list, describe and stop them, and read a
 * job's loss curves from CloudWatch (metrics first, else its logs). The AWS SDK clients are passed
 * in, so the caller owns region and credentials and the tests point them at moto; no SDK type
 * leaves this module.
 *
 * API references (read 2026-12-03):
 * - ListTrainingJobs: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListTrainingJobs.html
 *   (MaxResults 1..100, NextToken; its summaries carry no instance type or failure reason, hence a
 *   DescribeTrainingJob per job: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeTrainingJob.html)
 * - StopTrainingJob: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StopTrainingJob.html
 * - Training metrics in CloudWatch: namespace /aws/sagemaker/TrainingJobs, dimension Host =
 *   `<job>/algo-<n>`; logs in group /aws/sagemaker/TrainingJobs, one stream per host
 *   (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html).
 * - GetLogEvents: "If you have reached the end of the stream, it returns the same token you passed
 *   in" (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html).
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeLogStreamsCommand, GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTrainingJobCommand, ListTrainingJobsCommand, StopTrainingJobCommand, type DescribeTrainingJobCommandOutput, type SageMakerClient,
  type TrainingJobStatus as SdkTrainingJobStatus,
} from '@aws-sdk/client-sagemaker';
import type { ParsedCurves } from '../../core/training/curves';
import { assessOverfitting, type OverfitReport } from '../../core/training/overfit';
import {
  curvesFromLogLines, curvesFromMetricData, JUMPSTART_HF_TRAINER_METRIC_DEFINITIONS, JUMPSTART_LLAMA_METRIC_DEFINITIONS,
  type LogLine, type MetricDataSeries, type MetricDefinition,
} from '../../core/training/sagemakerCurves';
import { awsTrainingError } from './awsErrors';

/** DescribeTrainingJob's TrainingJobStatus values. */
export type TrainingJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export interface TrainingJobSummary {
  readonly name: string;
  readonly status: TrainingJobStatus;
  /** SageMaker's finer state (`Starting`, `Downloading`, `Training`, `Uploading`, …). */
  readonly secondaryStatus?: string;
  readonly created: Date;
  readonly ended?: Date;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly failureReason?: string;
}

export interface ListTrainingJobsOptions {
  /** Only jobs in this status (ListTrainingJobs' StatusEquals). */
  readonly statusFilter?: TrainingJobStatus;
  /** Only jobs whose name contains this (ListTrainingJobs' NameContains). */
  readonly nameContains?: string;
  readonly signal?: AbortSignal;
  /** Jobs per ListTrainingJobs page: 1..100, 100 by default. */
  readonly pageSize?: number;
}

export interface InputChannel {
  readonly name: string;
  readonly s3Uri?: string;
}

export interface TrainingRun extends TrainingJobSummary {
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly metricDefinitions: readonly MetricDefinition[];
  readonly inputChannels: readonly InputChannel[];
  readonly outputPath?: string;
  /** What the job is billed for, in seconds (absent until it ends). */
  readonly billableSeconds?: number;
}

/** What `readRunCurves` read: the curves, where they came from, and the overfitting verdict on them. */
export interface RunCurves extends ParsedCurves {
  readonly source: 'metrics' | 'logs' | 'none';
  readonly overfitting: OverfitReport;
}

export const TRAINING_NAMESPACE = '/aws/sagemaker/TrainingJobs';
export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';
const MAX_PAGE = 100;
/** DescribeTrainingJob calls in flight at once while listing (keeps clear of SageMaker's throttling). */
const DESCRIBE_CONCURRENCY = 4;

const sendOptions = (signal: AbortSignal | undefined): { abortSignal?: AbortSignal } => (signal === undefined ? {} : { abortSignal: signal });

/** Every job (all pages), newest first, each described for its instance type and failure reason. */
export async function listTrainingJobs(client: SageMakerClient, options: ListTrainingJobsOptions = {}): Promise<TrainingJobSummary[]> {
  const pageSize = Math.min(MAX_PAGE, Math.max(1, Math.trunc(options.pageSize ?? MAX_PAGE)));
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('sagemaker:ListTrainingJobs', undefined, () => client.send(new ListTrainingJobsCommand({
      MaxResults: pageSize,
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      ...(options.statusFilter === undefined ? {} : { StatusEquals: options.statusFilter }),
      ...(options.nameContains === undefined ? {} : { NameContains: options.nameContains }),
    }), sendOptions(options.signal)));
    for (const s of page.TrainingJobSummaries ?? []) if (s.TrainingJobName !== undefined) names.push(s.TrainingJobName);
    nextToken = page.NextToken === '' ? undefined : page.NextToken;
  } while (nextToken !== undefined);

  const jobs: TrainingJobSummary[] = new Array<TrainingJobSummary>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const i = next++;
      jobs[i] = summaryOf(await describe(client, names[i] ?? '', options.signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, names.length) }, worker));
  // Sorted here: SortBy is not honoured everywhere (moto ignores it), and newest first is what the view shows.
  return jobs.sort((a, b) => b.created.getTime() - a.created.getTime());
}

/** One job's settings and state. */
export async function describeRun(client: SageMakerClient, name: string, signal?: AbortSignal): Promise<TrainingRun> {
  const job = await describe(client, name, signal);
  return {
    ...summaryOf(job),
    hyperparameters: { ...(job.HyperParameters ?? {}) },
    metricDefinitions: (job.AlgorithmSpecification?.MetricDefinitions ?? [])
      .filter((d): d is { Name: string; Regex: string } => d.Name !== undefined && d.Regex !== undefined)
      .map((d) => ({ Name: d.Name, Regex: d.Regex })),
    inputChannels: (job.InputDataConfig ?? []).map((c) => ({
      name: c.ChannelName ?? '',
      ...(c.DataSource?.S3DataSource?.S3Uri === undefined ? {} : { s3Uri: c.DataSource.S3DataSource.S3Uri }),
    })),
    ...(job.OutputDataConfig?.S3OutputPath === undefined ? {} : { outputPath: job.OutputDataConfig.S3OutputPath }),
    ...(job.BillableTimeInSeconds === undefined ? {} : { billableSeconds: job.BillableTimeInSeconds }),
  };
}

/**
 * Stops a running job. SageMaker refuses to stop a job that is not InProgress with a
 * ValidationException; the job's status is read first so the message can say what it is.
 */
export async function stopTrainingJob(client: SageMakerClient, name: string, signal?: AbortSignal): Promise<void> {
  const job = await describe(client, name, signal);
  if (job.TrainingJobStatus !== 'InProgress') {
    throw awsTrainingError(
      { name: 'ValidationException', message: `${name} is ${job.TrainingJobStatus ?? 'not running'}` },
      { action: 'sagemaker:StopTrainingJob', job: name },
      `The training job ${name} is ${(job.TrainingJobStatus ?? 'not running').toLowerCase()}, so there is nothing to stop: only a job in progress can be stopped.`,
    );
  }
  await call('sagemaker:StopTrainingJob', name, () => client.send(new StopTrainingJobCommand({ TrainingJobName: name }), sendOptions(signal)));
}

/**
 * A job's loss curves: its CloudWatch metrics (one per metric definition, host algo-1) when any
 * were published, else its own log lines read with its metric definitions (JumpStart's when it
 * has none), and the overfitting verdict on them.
 */
export async function readRunCurves(
  clients: { readonly logs: CloudWatchLogsClient; readonly cloudwatch: CloudWatchClient },
  job: TrainingRun,
  signal?: AbortSignal,
): Promise<RunCurves> {
  const definitions = job.metricDefinitions.length > 0
    ? job.metricDefinitions
    : [...JUMPSTART_LLAMA_METRIC_DEFINITIONS, ...JUMPSTART_HF_TRAINER_METRIC_DEFINITIONS];
  const fromMetrics = await readMetricCurves(clients.cloudwatch, job, definitions, signal);
  if (hasPoints(fromMetrics)) return { ...fromMetrics, source: 'metrics', overfitting: assessOverfitting(fromMetrics.curves) };
  const lines = await readLogLines(clients.logs, job.name, signal);
  const fromLogs = curvesFromLogLines(lines, definitions);
  const source = hasPoints(fromLogs) ? 'logs' : 'none';
  return { ...fromLogs, source, overfitting: assessOverfitting(fromLogs.curves) };
}

function hasPoints(parsed: ParsedCurves): boolean {
  return Object.values(parsed.curves).some((points) => points.length > 0);
}

async function readMetricCurves(
  cloudwatch: CloudWatchClient, job: TrainingRun, definitions: readonly MetricDefinition[], signal: AbortSignal | undefined,
): Promise<ParsedCurves> {
  const names = [...new Set(definitions.map((d) => d.Name))];
  // Ids must start with a lower-case letter (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html).
  const queries: MetricDataQuery[] = names.map((name, i) => ({
    Id: `m${i}`,
    MetricStat: {
      Metric: { Namespace: TRAINING_NAMESPACE, MetricName: name, Dimensions: [{ Name: 'Host', Value: `${job.name}/algo-1` }] },
      Period: 60,
      Stat: 'Average',
    },
  }));
  const byId = new Map<string, { timestamps: Date[]; values: number[] }>();
  const start = new Date(job.created.getTime() - 60_000);
  const end = new Date((job.ended ?? new Date()).getTime() + 60_000);
  let nextToken: string | undefined;
  do {
    const page = await call('cloudwatch:GetMetricData', job.name, () => cloudwatch.send(new GetMetricDataCommand({
      MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending',
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    }), sendOptions(signal)));
    for (const r of page.MetricDataResults ?? []) {
      const id = r.Id ?? '';
      let acc = byId.get(id);
      if (acc === undefined) byId.set(id, (acc = { timestamps: [], values: [] }));
      acc.timestamps.push(...(r.Timestamps ?? []));
      acc.values.push(...(r.Values ?? []));
    }
    nextToken = page.NextToken === '' ? undefined : page.NextToken;
  } while (nextToken !== undefined);
  const series: MetricDataSeries[] = names.map((name, i) => ({ name, ...(byId.get(`m${i}`) ?? { timestamps: [], values: [] }) }));
  // JumpStart Llama's metrics are one value per epoch (train_epoch_loss / eval_epoch_loss).
  const llamaRegexes = new Set(JUMPSTART_LLAMA_METRIC_DEFINITIONS.map((d) => d.Regex));
  const onePointPerEpoch = definitions.every((d) => llamaRegexes.has(d.Regex)) && job.metricDefinitions.length > 0;
  return curvesFromMetricData(series.filter((s) => s.values.length > 0), { onePointPerEpoch });
}

/**
 * The log lines of the job's first host (`<job>/algo-1-…`: llama-recipes prints from rank 0
 * only), or of all its hosts when there is no algo-1 stream; none when the group or streams are missing.
 */
async function readLogLines(logs: CloudWatchLogsClient, job: string, signal: AbortSignal | undefined): Promise<LogLine[]> {
  const streams: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await call('logs:DescribeLogStreams', job, () => logs.send(new DescribeLogStreamsCommand({
        logGroupName: TRAINING_LOG_GROUP, logStreamNamePrefix: `${job}/algo-`,
        ...(nextToken === undefined ? {} : { nextToken }),
      }), sendOptions(signal)));
      for (const s of page.logStreams ?? []) if (s.logStreamName !== undefined) streams.push(s.logStreamName);
      nextToken = page.nextToken === '' ? undefined : page.nextToken;
    } while (nextToken !== undefined);
  } catch (e) {
    if (isMissingLogGroup(e)) return [];
    throw e;
  }
  const first = streams.filter((s) => s === `${job}/algo-1` || s.startsWith(`${job}/algo-1-`));
  const lines: LogLine[] = [];
  for (const stream of (first.length > 0 ? first : streams).sort()) {
    let token: string | undefined;
    for (;;) {
      const page = await call('logs:GetLogEvents', job, () => logs.send(new GetLogEventsCommand({
        logGroupName: TRAINING_LOG_GROUP, logStreamName: stream, startFromHead: true,
        ...(token === undefined ? {} : { nextToken: token }),
      }), sendOptions(signal)));
      for (const e of page.events ?? []) {
        if (e.message !== undefined) lines.push({ message: e.message, ...(e.timestamp === undefined ? {} : { timestamp: e.timestamp }) });
      }
      if (page.nextForwardToken === undefined || page.nextForwardToken === token || (page.events ?? []).length === 0) break;
      token = page.nextForwardToken;
    }
  }
  return lines;
}

function isMissingLogGroup(e: unknown): boolean {
  const cause = e instanceof Error ? e.cause : undefined;
  return cause instanceof Error && cause.name === 'ResourceNotFoundException';
}

async function describe(client: SageMakerClient, name: string, signal: AbortSignal | undefined): Promise<DescribeTrainingJobCommandOutput> {
  return call('sagemaker:DescribeTrainingJob', name, () => client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }), sendOptions(signal)));
}

/** Runs one SDK call, its errors worded for the user (see awsErrors.ts). */
async function call<T>(action: string, job: string | undefined, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (e) {
    throw awsTrainingError(e, { action, ...(job === undefined ? {} : { job }) });
  }
}

const STATUSES: readonly TrainingJobStatus[] = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/** The SDK's status as ours; `Deleting` (a job being deleted) and unknown ones read as Stopped, which is what the job stops being. */
function statusOf(status: SdkTrainingJobStatus | undefined): TrainingJobStatus {
  return STATUSES.find((s) => s === status) ?? 'Stopped';
}

function summaryOf(job: DescribeTrainingJobCommandOutput): TrainingJobSummary {
  return {
    name: job.TrainingJobName ?? '',
    status: statusOf(job.TrainingJobStatus),
    ...(job.SecondaryStatus === undefined ? {} : { secondaryStatus: job.SecondaryStatus }),
    created: job.CreationTime ?? new Date(0),
    ...(job.TrainingEndTime === undefined ? {} : { ended: job.TrainingEndTime }),
    ...(job.ResourceConfig?.InstanceType === undefined ? {} : { instanceType: job.ResourceConfig.InstanceType }),
    ...(job.ResourceConfig?.InstanceCount === undefined ? {} : { instanceCount: job.ResourceConfig.InstanceCount }),
    ...(job.FailureReason === undefined || job.FailureReason === '' ? {} : { failureReason: job.FailureReason }),
  };
}
