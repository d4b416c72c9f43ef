/**
 * A local stand-in for Amazon SageMaker, for tests with the real AWS SDK clients: the runtime's
 * InvokeEndpoint and InvokeEndpointWithResponseStream (genuine AWS event-stream framing) and
 * the control plane's ListEndpoints, DescribeEndpoint, DescribeEndpointConfig, ListTags, DescribeModel
 * and DescribeTrainingJob (awsJson1_1).
 * Replies are scripted per endpoint; every request is logged for assertions.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';

export type PeerReply =
  /** A 200 (or `status`) with this JSON body. */
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number }
  /** An error as AWS sends it: status, `x-amzn-ErrorType`, JSON body (`{"Message": …}` etc.). */
  | { readonly kind: 'error'; readonly status: number; readonly type: string; readonly body: Readonly<Record<string, unknown>> }
  /**
   * A response stream: each part one PayloadPart event, then optionally an exception message
   * (e.g. ModelStreamError). With `hang`, the stream stays open after the parts until the client
   * goes away. `delayMs` waits between parts.
   */
  | {
    readonly kind: 'stream';
    readonly parts: readonly (string | Uint8Array)[];
    readonly exception?: { readonly type: string; readonly message: string; readonly errorCode?: string };
    readonly hang?: boolean;
    readonly delayMs?: number;
  };

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface PeerEndpoint {
  readonly name: string;
  readonly status: string;
  readonly created: Date;
  readonly instanceType?: string;
  /** The endpoint's tags (ListTags on its ARN). */
  readonly tags?: Readonly<Record<string, string>>;
  /** Where its model's artifacts are (DescribeModel's PrimaryContainer.ModelDataSource). */
  readonly modelData?: string;
}

export interface SageMakerPeer {
  /** `http://127.0.0.1:PORT`, for the clients' `endpoint`. */
  readonly url: string;
  readonly requests: LoggedRequest[];
  /** Endpoints the control plane knows. */
  endpoints: PeerEndpoint[];
  /** Training jobs the control plane knows: name → hyperparameters. */
  trainingJobs: Record<string, Readonly<Record<string, string>>>;
  /** Queues replies for an endpoint's invocations (either route), used in order. */
  script(endpointName: string, ...replies: PeerReply[]): void;
  /** Resolves when the client has gone away from a hanging stream. */
  readonly streamClosed: Promise<void>;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec((bytes: Uint8Array) => decoder.decode(bytes), (text: string) => encoder.encode(text));

/** One event-stream message, as SageMaker frames a PayloadPart. */
export function payloadPartFrame(bytes: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: 'PayloadPart' },
      ':message-type': { type: 'string', value: 'event' },
      ':content-type': { type: 'string', value: 'application/octet-stream' },
    },
    body: bytes,
  });
}

/** One event-stream exception message (`:message-type` exception). */
export function exceptionFrame(type: string, message: string, errorCode?: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':message-type': { type: 'string', value: 'exception' },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: encoder.encode(JSON.stringify({ Message: message, ...(errorCode === undefined ? {} : { ErrorCode: errorCode }) })),
  });
}

/** Splits a text's UTF-8 bytes at the given byte offsets (which may fall inside a character). */
export function splitUtf8(text: string, cuts: readonly number[]): Uint8Array[] {
  const bytes = encoder.encode(text);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parts.push(bytes.slice(from, cut));
    from = cut;
  }
  parts.push(bytes.slice(from));
  return parts;
}

export async function startSageMakerPeer(): Promise<SageMakerPeer> {
  const requests: LoggedRequest[] = [];
  const queues = new Map<string, PeerReply[]>();
  let notifyClosed: () => void = () => undefined;
  const streamClosed = new Promise<void>((resolve) => { notifyClosed = resolve; });
  const peer: { endpoints: PeerEndpoint[]; trainingJobs: Record<string, Readonly<Record<string, string>>> } = { endpoints: [], trainingJobs: {} };

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: e instanceof Error ? e.message : String(e) }, { 'x-amzn-ErrorType': 'InternalFailure' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? '', path, headers, body });

    const target = headers['x-amz-target'];
    if (req.method === 'POST' && path === '/' && target !== undefined) {
      controlPlane(res, target, body);
      return;
    }
    const m = /^\/endpoints\/([^/]+)\/(invocations|invocations-response-stream)$/.exec(path);
    if (req.method !== 'POST' || m === null) {
      sendJson(res, 404, { message: `No route for ${req.method ?? ''} ${path}` }, { 'x-amzn-ErrorType': 'UnknownOperationException' });
      return;
    }
    const name = decodeURIComponent(m[1] ?? '');
    const reply = queues.get(name)?.shift();
    if (reply === undefined) {
      sendJson(res, 400, { message: `Endpoint ${name} of account ${ACCOUNT} not found.` }, { 'x-amzn-ErrorType': 'ValidationError:http://internal.amazon.com/coral/com.amazon.coral.validate/' });
      return;
    }
    if (reply.kind === 'json') {
      sendJson(res, reply.status ?? 200, reply.body, { 'x-amzn-invoked-production-variant': 'AllTraffic' });
      return;
    }
    if (reply.kind === 'error') {
      sendJson(res, reply.status, reply.body, { 'x-amzn-ErrorType': `${reply.type}:http://internal.amazon.com/coral/com.amazonaws.sagemaker/` });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/vnd.amazon.eventstream',
      'X-Amzn-SageMaker-Content-Type': 'application/jsonlines',
      'x-amzn-RequestId': 'peer-request',
      'x-amzn-invoked-production-variant': 'AllTraffic',
    });
    for (const part of reply.parts) {
      if (reply.delayMs !== undefined) await new Promise((r) => setTimeout(r, reply.delayMs));
      res.write(payloadPartFrame(typeof part === 'string' ? encoder.encode(part) : part));
    }
    if (reply.exception !== undefined) res.write(exceptionFrame(reply.exception.type, reply.exception.message, reply.exception.errorCode));
    if (reply.hang === true) {
      res.on('close', () => { notifyClosed(); });
      return;
    }
    res.end();
  }

  function controlPlane(res: ServerResponse, target: string, body: string): void {
    const input = (body === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
    const epoch = (d: Date): number => d.getTime() / 1000;
    const arn = (kind: string, name: string): string => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${kind}/${name.toLowerCase()}`;
    const find = (name: unknown): PeerEndpoint | undefined => peer.endpoints.find((e) => e.name === name);
    switch (target) {
      case 'SageMaker.ListEndpoints': {
        const status = input.StatusEquals;
        const list = peer.endpoints.filter((e) => status === undefined || e.status === status);
        sendAwsJson(res, 200, {
          Endpoints: list.map((e) => ({
            EndpointName: e.name, EndpointArn: arn('endpoint', e.name), CreationTime: epoch(e.created), LastModifiedTime: epoch(e.created), EndpointStatus: e.status,
          })),
        });
        return;
      }
      case 'SageMaker.DescribeEndpoint': {
        const e = find(input.EndpointName);
        if (e === undefined) {
          sendAwsJson(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', Message: `Could not find endpoint "${String(input.EndpointName)}".` });
          return;
        }
        sendAwsJson(res, 200, {
          EndpointName: e.name, EndpointArn: arn('endpoint', e.name), EndpointConfigName: `${e.name}-config`, EndpointStatus: e.status,
          CreationTime: epoch(e.created), LastModifiedTime: epoch(e.created),
        });
        return;
      }
      case 'SageMaker.DescribeEndpointConfig': {
        const configName = typeof input.EndpointConfigName === 'string' ? input.EndpointConfigName : '';
        const e = find(configName.replace(/-config$/, ''));
        if (e === undefined) {
          sendAwsJson(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', Message: `Could not find endpoint configuration "${configName}".` });
          return;
        }
        sendAwsJson(res, 200, {
          EndpointConfigName: configName, EndpointConfigArn: arn('endpoint-config', configName), CreationTime: epoch(e.created),
          ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `${e.name}-model`, InitialInstanceCount: 1, ...(e.instanceType === undefined ? {} : { InstanceType: e.instanceType }) }],
        });
        return;
      }
      case 'SageMaker.ListTags': {
        const e = peer.endpoints.find((x) => arn('endpoint', x.name) === input.ResourceArn);
        if (e === undefined) {
          sendAwsJson(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', Message: `Could not find resource "${String(input.ResourceArn)}".` });
          return;
        }
        sendAwsJson(res, 200, { Tags: Object.entries(e.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) });
        return;
      }
      case 'SageMaker.DescribeModel': {
        const modelName = typeof input.ModelName === 'string' ? input.ModelName : '';
        const e = find(modelName.replace(/-model$/, ''));
        if (e === undefined) {
          sendAwsJson(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', Message: `Could not find model "${modelName}".` });
          return;
        }
        sendAwsJson(res, 200, {
          ModelName: modelName, ModelArn: arn('model', modelName), CreationTime: epoch(e.created),
          PrimaryContainer: {
            Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124',
            ...(e.modelData === undefined ? {} : { ModelDataSource: { S3DataSource: { S3Uri: e.modelData, S3DataType: 'S3Prefix', CompressionType: 'None' } } }),
          },
        });
        return;
      }
      case 'SageMaker.DescribeTrainingJob': {
        const name = typeof input.TrainingJobName === 'string' ? input.TrainingJobName : '';
        const hyperparameters = peer.trainingJobs[name];
        if (hyperparameters === undefined) {
          sendAwsJson(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', Message: `Requested resource not found: ${name}` });
          return;
        }
        sendAwsJson(res, 200, {
          TrainingJobName: name, TrainingJobArn: arn('training-job', name), TrainingJobStatus: 'Completed', HyperParameters: hyperparameters,
          CreationTime: 1_700_000_000, SecondaryStatus: 'Completed',
          AlgorithmSpecification: { TrainingInputMode: 'File' }, ResourceConfig: { InstanceType: 'ml.g5.12xlarge', InstanceCount: 1, VolumeSizeInGB: 256 },
          StoppingCondition: { MaxRuntimeInSeconds: 360000 }, RoleArn: `arn:aws:iam::${ACCOUNT}:role/sagemaker`,
        });
        return;
      }
      default:
        sendAwsJson(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: `Unknown operation ${target}` });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get endpoints() { return peer.endpoints; },
    set endpoints(list: PeerEndpoint[]) { peer.endpoints = list; },
    get trainingJobs() { return peer.trainingJobs; },
    set trainingJobs(jobs: Record<string, Readonly<Record<string, string>>>) { peer.trainingJobs = jobs; },
    script(endpointName, ...replies) {
      const queue = queues.get(endpointName) ?? [];
      queue.push(...replies);
      queues.set(endpointName, queue);
    },
    streamClosed,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => { if (e === undefined) resolve(); else reject(e); });
    }),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': 'peer-request', ...headers });
  res.end(text);
}

function sendAwsJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': 'peer-request' });
  res.end(text);
}
