import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../scripts/code-server.mjs';
import { ensureMoto } from '../../scripts/moto.mjs';
import { spawnGroup, stopGroup } from './processGroup';
import { repoFile } from './repoFile';

/** What every AWS SDK v3 client needs to talk to the local moto instead of AWS. */
export interface MotoClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** S3 only: buckets in the path, since `<bucket>.127.0.0.1` does not resolve. */
  readonly forcePathStyle: true;
  /** Fail fast: a test wants moto's first answer, not the SDK's retries of it. */
  readonly maxAttempts: number;
}

export interface RunningMoto {
  readonly url: string;
  readonly port: number;
  readonly clientConfig: MotoClientConfig;
  /** Forgets every resource in every emulated service (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /**
   * Sets what a training job reports (moto's jobs are Completed at once): e.g. InProgress before
   * a Stop, Failed with its reason, or Completed with final metrics. launcher.py serves the route.
   */
  setTrainingJobStatus(status: TrainingJobState): Promise<void>;
  /** What the server printed so far (its request log and any traceback). */
  output(): string;
  stop(): Promise<void>;
}

/** The body of launcher.py's `POST /moto-api/static/sagemaker/training-job-status`. */
export interface TrainingJobState {
  readonly TrainingJobName: string;
  readonly TrainingJobStatus: 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
  readonly SecondaryStatus?: string;
  readonly FailureReason?: string;
  readonly FinalMetricDataList?: readonly { readonly MetricName: string; readonly Value: number }[];
}

const REGION = 'us-east-1';

/**
 * Starts test/peers/moto/launcher.py (moto's server with the tests' patches) on a free port of
 * 127.0.0.1, in its own process group, and waits until it answers.
 */
export async function startMoto(timeoutMs = 30_000): Promise<RunningMoto> {
  const moto = ensureMoto();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawnGroup(moto.python, [repoFile('test/peers/moto/launcher.py'), String(port)], {
    env: { ...process.env, PYTHONPATH: moto.pythonPath, PYTHONNOUSERSITE: '1', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exit ${code ?? signal ?? '?'}`;
  });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`moto exited before it was ready (${exited}):\n${output}`);
    try {
      // A cheap route of moto's own API: it answers once the server listens.
      if ((await fetch(`${url}/moto-api/config`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopGroup(child);
      throw new Error(`moto did not answer ${url} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    clientConfig: {
      endpoint: url,
      region: REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      forcePathStyle: true,
      maxAttempts: 1,
    },
    async reset() {
      const r = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!r.ok) throw new Error(`moto reset answered ${r.status}: ${await r.text()}`);
    },
    async setTrainingJobStatus(status) {
      const r = await fetch(`${url}/moto-api/static/sagemaker/training-job-status`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...status, region: REGION }),
      });
      if (!r.ok) throw new Error(`moto could not set ${status.TrainingJobName}'s status: ${r.status} ${await r.text()}`);
    },
    output: () => output,
    stop: () => stopGroup(child),
  };
}
