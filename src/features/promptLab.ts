/**
 * Prompt Lab's bundle (dist/promptLab.js), loaded when its view is first shown or one of its
 * commands is first run (src/features/lazyFeatures.ts): the view, its store, runs and eval batches.
 */
import { registerPromptLabCommands } from '../commands/promptLab';
import type { TuneLabContext } from '../host/context';
import { PromptLabStore } from '../host/promptLabStore';
import { PromptLabViewProvider } from '../views/promptLabView';
import type { FeatureHandle } from './lazyFeature';

export interface PromptLabFeature extends FeatureHandle {
  readonly provider: PromptLabViewProvider;
}

export function start(ctx: TuneLabContext): PromptLabFeature {
  const store = new PromptLabStore(ctx.state);
  const provider = new PromptLabViewProvider(ctx, store);
  return {
    provider,
    disposables: [store, provider, ...registerPromptLabCommands(ctx, { view: provider, store })],
  };
}
