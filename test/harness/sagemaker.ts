import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { startSageMakerPeer, type SageMakerPeer } from '../peers/sagemakerPeer';

/** A local SageMaker peer and a runtime client that talks to it, for one describe block. */
export interface SageMakerRig {
  readonly peer: SageMakerPeer;
  readonly client: SageMakerRuntimeClient;
  /** The JSON bodies sent to the endpoint `name` (either invocation route), in order. */
  bodiesOf(name: string): Record<string, unknown>[];
}

/**
 * Starts the peer and its client before the enclosing describe block's tests and closes both
 * after them. Read `peer` and `client` inside tests, once they have started.
 */
export function useSageMakerPeer(): SageMakerRig {
  let peer: SageMakerPeer | undefined;
  let client: SageMakerRuntimeClient | undefined;
  before(async () => {
    peer = await startSageMakerPeer();
    client = new SageMakerRuntimeClient({ endpoint: peer.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
  });
  after(async () => {
    client?.destroy();
    await peer?.close();
  });
  const started = <T>(value: T | undefined): T => {
    assert.ok(value !== undefined, 'the SageMaker peer starts before the tests');
    return value;
  };
  return {
    get peer() { return started(peer); },
    get client() { return started(client); },
    bodiesOf(name: string): Record<string, unknown>[] {
      return started(peer).requests.filter((r) => r.path.startsWith(`/endpoints/${name}/`)).map((r) => JSON.parse(r.body) as Record<string, unknown>);
    },
  };
}
