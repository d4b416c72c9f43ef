/**
 * How an eval batch asks a question (core/promptLab/evalBatchRun.ts `AskColumns`): one Prompt Lab
 * run of every column, one sample each, with nothing streamed; the editor and a CLI share it.
 */
import type { AskColumns } from '../core/promptLab/evalBatchRun';
import { PromptRun, type ChatOpener } from './promptRun';

/** `supportsSeed` says which endpoints get the columns' seed (others never get one). */
export function promptRunAsker(open: ChatOpener, supportsSeed: (endpoint: string) => boolean): AskColumns {
  return async (question, columns, signal) => {
    const run = new PromptRun(
      { runId: 'batch', question, columns, samples: 1 },
      open,
      { chunk: () => undefined, done: () => undefined, error: () => undefined },
      { supportsSeed },
    );
    const stop = (): void => { run.cancel(); };
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop);
    try {
      return await run.finished;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  };
}
