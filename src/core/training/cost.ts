/**
 * What a JumpStart training job (or a sweep of them, or an endpoint) costs: a dated, cited price
 * table per region, instance type and use, and estimates that say what they assume.
 *
 * A training job bills instance count × its run time × the instance's hourly price (SageMaker
 * bills training per second of the job's billable time, per instance). The run time cannot be
 * known before the job runs (it follows from tokens × epochs over a throughput nobody publishes
 * for these scripts), so an estimate takes a duration the user gives, or DEFAULT_JOB_HOURS, and
 * says which. A region or instance the table has no price for gets "no price known", never a
 * nearby price.
 *
 * Prices: USD per hour, on-demand, without Savings Plans, storage or data transfer.
 */

export type PriceUse = 'training' | 'inference';

export interface InstancePrice {
  readonly region: string;
  readonly instanceType: string;
  readonly use: PriceUse;
  readonly usdPerHour: number;
  /** Where the number comes from. */
  readonly source: string;
  /** The day the source was read (YYYY-MM-DD). */
  readonly asOf: string;
}

/**
 * Training: AWS Price List API, service AmazonSageMaker, component "Training" (usage types
 * `USW2-Train:<instance>` and `USE1-Train:<instance>`), the regional offer files below, read
 * 2026-12-03 through transcriptions of those offers: us-west-2 for the g5 and g6 families, and
 * us-east-1 for ml.g5.2xlarge only (`USE1-Train:ml.g5.2xlarge`, checked 2026-08-20 by its
 * transcriber). ml.p4d.24xlarge, ml.p3dn.24xlarge, ml.g4dn.12xlarge and the other us-east-1
 * training prices were not at hand: they are "no price known" until read from the offer files.
 */
const TRAINING_US_WEST_2 = 'https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonSageMaker/current/us-west-2/index.json (component Training)';
const TRAINING_US_EAST_1 = 'https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonSageMaker/current/us-east-1/index.json (usage type USE1-Train:ml.g5.2xlarge)';
/**
 * Real-time inference (hosting), us-east-1: the SageMaker hourly instance prices in AWS's
 * Foundation Model Benchmarking Tool (aws-samples/foundation-model-benchmarking-tool,
 * src/fmbench/configs/pricing.yml, commit 00ef155d), read 2026-12-03; AWS's pricing page is
 * https://aws.amazon.com/sagemaker/pricing/ (Real-Time Inference). The file does not name its
 * region; its g5 prices equal the us-west-2 training ones above and the us-east-1 ml.g5.2xlarge
 * one, and they are filed under us-east-1 here: re-read them from the us-east-1 offer file
 * (component Hosting) before relying on them elsewhere.
 */
const INFERENCE_US_EAST_1 = 'https://github.com/aws-samples/foundation-model-benchmarking-tool/blob/00ef155d0f9c6b999d796f915159d3d622f8233d/src/fmbench/configs/pricing.yml';
const AS_OF = '2026-12-03';

function prices(region: string, use: PriceUse, source: string, table: Readonly<Record<string, number>>): InstancePrice[] {
  return Object.entries(table).map(([instanceType, usdPerHour]) => ({ region, instanceType, use, usdPerHour, source, asOf: AS_OF }));
}

export const PRICE_TABLE: readonly InstancePrice[] = [
  ...prices('us-west-2', 'training', TRAINING_US_WEST_2, {
    'ml.g5.xlarge': 1.408,
    'ml.g5.2xlarge': 1.515,
    'ml.g5.4xlarge': 2.03,
    'ml.g5.8xlarge': 3.06,
    'ml.g5.12xlarge': 7.09,
    'ml.g5.16xlarge': 5.12,
    'ml.g5.24xlarge': 10.18,
    'ml.g5.48xlarge': 20.36,
    'ml.g6.xlarge': 1.127,
    'ml.g6.2xlarge': 1.222,
    'ml.g6.4xlarge': 1.654,
    'ml.g6.8xlarge': 2.518,
    'ml.g6.12xlarge': 5.752,
    'ml.g6.24xlarge': 8.344,
    'ml.g6.48xlarge': 16.688,
  }),
  ...prices('us-east-1', 'training', TRAINING_US_EAST_1, { 'ml.g5.2xlarge': 1.515 }),
  ...prices('us-east-1', 'inference', INFERENCE_US_EAST_1, {
    'ml.g5.xlarge': 1.4084,
    'ml.g5.2xlarge': 1.515,
    'ml.g5.12xlarge': 7.09,
    'ml.g5.24xlarge': 10.18,
    'ml.g5.48xlarge': 20.36,
    'ml.p4d.24xlarge': 37.688,
    'ml.g4dn.12xlarge': 4.89,
    'ml.g6.2xlarge': 1.222,
    'ml.g6.12xlarge': 5.752,
    'ml.g6.16xlarge': 4.246,
    'ml.g6.24xlarge': 8.344,
    'ml.g6.48xlarge': 16.688,
  }),
];

/** The price of `instanceType` for `use` in `region`, or undefined when none is known. */
export function priceOf(region: string, instanceType: string, use: PriceUse): InstancePrice | undefined {
  return PRICE_TABLE.find((p) => p.region === region && p.instanceType === instanceType && p.use === use);
}

/** The duration assumed for a job when the user gives none: a placeholder to edit, not a prediction. */
export const DEFAULT_JOB_HOURS = 1;

export interface JobCostInput {
  readonly region: string;
  readonly instanceType: string;
  /** SageMaker's InstanceCount; 1 when unset. */
  readonly instanceCount?: number;
  /** The run time the user expects; DEFAULT_JOB_HOURS when unset. */
  readonly hours?: number;
}

export type CostEstimate =
  | {
      readonly known: true;
      readonly usd: number;
      readonly price: InstancePrice;
      readonly instanceCount: number;
      readonly hours: number;
      /** Whether `hours` is the user's or the default. */
      readonly hoursFrom: 'user' | 'default';
      /** One line for the form and the confirm. */
      readonly text: string;
    }
  | { readonly known: false; readonly text: string };

/** "$7.09": cents, or tenths of a cent under a dollar so a short job does not read $0.00. */
export function formatUsd(usd: number): string {
  const digits = usd > 0 && usd < 1 ? 3 : 2;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}

/** An hourly price as the source gives it, to four decimals at most: "$1.515", "$7.09". */
export function formatRate(usdPerHour: number): string {
  return `$${usdPerHour.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function invalid(input: JobCostInput): string | undefined {
  const count = input.instanceCount ?? 1;
  if (!Number.isInteger(count) || count < 1) return `The instance count is ${count}; it must be a whole number of at least 1.`;
  if (input.hours !== undefined && !(Number.isFinite(input.hours) && input.hours > 0)) return `The duration is ${input.hours} hours; it must be more than 0.`;
  return undefined;
}

/** The cost of one job (or one endpoint kept up for `hours`, with use "inference"). */
export function estimateJob(input: JobCostInput, use: PriceUse = 'training'): CostEstimate {
  const bad = invalid(input);
  if (bad !== undefined) return { known: false, text: bad };
  const price = priceOf(input.region, input.instanceType, use);
  const what = use === 'training' ? 'training' : 'real-time inference';
  if (price === undefined) {
    return { known: false, text: `No price known for ${input.instanceType} ${what} in ${input.region}: TuneLab has no cited price for it, so it shows none rather than a guess.` };
  }
  const instanceCount = input.instanceCount ?? 1;
  const hoursFrom = input.hours === undefined ? 'default' : 'user';
  const hours = input.hours ?? DEFAULT_JOB_HOURS;
  const usd = instanceCount * hours * price.usdPerHour;
  const assumption = hoursFrom === 'user' ? `${plural(hours, 'hour', 'hours')} as you set` : `${plural(hours, 'hour', 'hours')} assumed (a job's run time cannot be known before it runs: set your own)`;
  const text =
    `About ${formatUsd(usd)}: ${plural(instanceCount, 'instance', 'instances')} × ${assumption} × ${formatRate(price.usdPerHour)}/hour ` +
    `(${input.instanceType} ${what}, ${input.region}, on-demand price as of ${price.asOf}).`;
  return { known: true, usd, price, instanceCount, hours, hoursFrom, text };
}

export interface SweepEstimate {
  readonly jobs: readonly CostEstimate[];
  /** The sum over the jobs with a known price. */
  readonly knownUsd: number;
  /** How many jobs have no price known. */
  readonly unknown: number;
  /** One line for the sweep's confirm. */
  readonly text: string;
}

/** The cost of a sweep: each job's estimate and the total, or what of it is unknown. */
export function estimateSweep(jobs: readonly JobCostInput[], use: PriceUse = 'training'): SweepEstimate {
  const estimates = jobs.map((j) => estimateJob(j, use));
  let knownUsd = 0;
  let unknown = 0;
  for (const e of estimates) {
    if (e.known) knownUsd += e.usd;
    else unknown++;
  }
  const n = plural(jobs.length, 'job', 'jobs');
  let text: string;
  if (jobs.length === 0) text = 'No jobs in this sweep.';
  else if (unknown === 0) {
    const defaulted = estimates.some((e) => e.known && e.hoursFrom === 'default');
    text = `About ${formatUsd(knownUsd)} for ${n}${defaulted ? `, assuming ${plural(DEFAULT_JOB_HOURS, 'hour', 'hours')} for each job without a duration` : ''}.`;
  } else if (unknown === jobs.length) text = `No price known for any of the ${n}: the total cannot be estimated.`;
  else text = `At least ${formatUsd(knownUsd)} for ${plural(jobs.length - unknown, 'priced job', 'priced jobs')}; ${plural(unknown, 'job has', 'jobs have')} no price known, so the total is higher by an unknown amount.`;
  return { jobs: estimates, knownUsd, unknown, text };
}
