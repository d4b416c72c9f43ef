/**
 * AWS errors from the training-job calls, worded so a user can act on them: a denied call names the
 * IAM permission it needs, a missing job names the job, throttling says to retry later.
 *
 * Error names: SageMaker's ResourceNotFound and ValidationException
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/CommonErrors.html and each action's
 * Errors section), AccessDeniedException / ThrottlingException (common to the JSON services),
 * CloudWatch's AccessDenied / Throttling (query protocol names), CloudWatch Logs'
 * ResourceNotFoundException. DescribeTrainingJob answers a missing job with a ValidationException
 * "Requested resource not found." rather than ResourceNotFound (https://github.com/aws/aws-sdk/issues/165),
 * so a validation error that says the resource is not found is read as not found too.
 */
import { AWS_AUTH_ERRORS, NETWORK_CODES } from '../aws';
import { EndpointError } from '../types';

export interface AwsCallContext {
  /** The IAM action the call needs, e.g. `sagemaker:ListTrainingJobs`. */
  readonly action: string;
  readonly job?: string;
}

const ACCESS_DENIED: ReadonlySet<string> = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'NotAuthorized']);
const THROTTLED: ReadonlySet<string> = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'LimitExceededException', 'ProvisionedThroughputExceededException']);
const NOT_FOUND: ReadonlySet<string> = new Set(['ResourceNotFound', 'ResourceNotFoundException']);

/** `error` (an SDK error, or anything thrown) as an EndpointError; `message` overrides the wording. */
export function awsTrainingError(error: unknown, context: AwsCallContext, message?: string): EndpointError {
  if (error instanceof EndpointError) return error;
  const name = errorName(error);
  const status = httpStatus(error);
  const options = { cause: error, ...(status === undefined ? {} : { status }) };
  const what = context.job === undefined ? '' : ` for ${context.job}`;
  if (message !== undefined) return new EndpointError(name === 'ValidationException' ? 'bad-request' : kindOf(name), message, options);
  if (name === 'AbortError' || name === 'cancelled') return new EndpointError('cancelled', 'The request was cancelled.', options);
  if (ACCESS_DENIED.has(name)) {
    return new EndpointError('auth', `AWS denied ${context.action}${what}: give your IAM user or role the ${context.action} permission, then try again.`, options);
  }
  if (AWS_AUTH_ERRORS.has(name)) {
    return new EndpointError('auth', `AWS did not accept your credentials (${name}) for ${context.action}: sign in again or check your AWS profile.`, options);
  }
  if (THROTTLED.has(name) || status === 429) {
    return new EndpointError('rate-limited', `AWS is throttling ${context.action} requests: retry in a minute.`, options);
  }
  if (NOT_FOUND.has(name) || (name === 'ValidationException' && NOT_FOUND_MESSAGE.test(messageOf(error)))) {
    return new EndpointError('not-found', context.job === undefined
      ? `AWS found nothing for ${context.action}: check the region.`
      : `No training job named ${context.job} in this region: check its name and the AWS region.`, options);
  }
  if (NETWORK_CODES.has(name) || NETWORK_CODES.has(codeOf(error))) {
    return new EndpointError('network', `Could not reach AWS for ${context.action}: check your network connection.`, options);
  }
  const detail = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
  const kind = status !== undefined && status >= 500 ? 'server' : name === 'ValidationException' ? 'bad-request' : 'server';
  return new EndpointError(kind, `${context.action}${what} failed (${name})${detail}`, options);
}

const NOT_FOUND_MESSAGE = /\bnot found\b|could not find|does not exist/i;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

function kindOf(name: string): 'auth' | 'rate-limited' | 'not-found' | 'server' {
  if (ACCESS_DENIED.has(name)) return 'auth';
  if (THROTTLED.has(name)) return 'rate-limited';
  if (NOT_FOUND.has(name)) return 'not-found';
  return 'server';
}

function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const n = (error as { name?: unknown }).name;
    if (typeof n === 'string') return n;
  }
  return 'Error';
}

function codeOf(error: unknown): string {
  const c = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof c === 'string' ? c : '';
}

function httpStatus(error: unknown): number | undefined {
  const meta = typeof error === 'object' && error !== null ? (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata : undefined;
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}
