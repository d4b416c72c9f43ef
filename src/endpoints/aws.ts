/** What the AWS backends (SageMaker, Bedrock) share: reading a stream that a signal can cut, and error names. */
import { EndpointError } from './types';

/** Error names (and codes) that mean the AWS credentials are missing, expired or wrong. */
export const AWS_AUTH_ERRORS: ReadonlySet<string> = new Set([
  'CredentialsProviderError', 'TokenProviderError', 'ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException',
  'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature', 'MissingAuthenticationToken',
  'InvalidAccessKeyId', 'TokenRefreshRequired',
]);

/** Socket error codes that mean the endpoint could not be reached. */
export const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNABORTED']);

/** Static AWS credentials (tests, or a caller that has them); otherwise the default chain is used. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The client options an endpoint's region, profile and credentials give (unset ones left to the default chain). */
export function clientConfig(options: { readonly region?: string; readonly profile?: string; readonly credentials?: AwsCredentials }): {
  region?: string; profile?: string; credentials?: AwsCredentials;
} {
  return {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

export function cancelled(cause?: unknown): EndpointError {
  return new EndpointError('cancelled', 'The request was cancelled.', cause === undefined ? {} : { cause });
}

/**
 * Iterates `source`, ending with a `cancelled` error as soon as `signal` aborts, even while a
 * read waits (an SDK event stream only notices an abort at its next event).
 */
export async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => { reject(cancelled()); };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
