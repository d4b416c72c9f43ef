/**
 * Prompt Lab's bundle (dist/promptLab.js), loaded when its view is first shown or one of its
 * commands is first run (src/features/lazyFeatures.ts): the view, its store, runs and eval batches.
 */
import type * as vscode from 'vscode';
import { registerPromptLabCommands } from '../commands/promptLab';
import type { EndpointRegistry } from '../host/endpoints';
import type { LintSettingsSource } from '../host/lintSettings';
import { PromptLabStore } from '../host/promptLabStore';
import type { DatasetLinting } from '../host/datasetLinting';
import { PromptLabViewProvider } from '../views/promptLabView';
import type { FeatureHandle } from './lazyFeature';

export interface PromptLabFeatureServices {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly endpoints: EndpointRegistry;
  readonly linting: DatasetLinting;
  readonly lintSettings: LintSettingsSource;
  readonly state: vscode.Memento;
}

export interface PromptLabFeature extends FeatureHandle {
  readonly provider: PromptLabViewProvider;
}

export function start(s: PromptLabFeatureServices): PromptLabFeature {
  const store = new PromptLabStore(s.state);
  const provider = new PromptLabViewProvider({ extensionUri: s.extensionUri, log: s.log, endpoints: s.endpoints, store, linting: s.linting, lintSettings: s.lintSettings });
  return {
    provider,
    disposables: [store, provider, ...registerPromptLabCommands({ view: provider, store, endpoints: s.endpoints, lintSettings: s.lintSettings, log: s.log })],
  };
}
