import * as vscode from 'vscode';
import { CommandTable } from './commandTable';
import { Config } from './config';
import { DatasetLinting } from './datasetLinting';
import { loadEndpointBackends } from './endpointBackends';
import { EndpointRegistry } from './endpoints';
import { LintSettingsSource } from './lintSettings';
import { WorkspaceSidecars } from './sidecarFiles';
import { loadTokenizers } from './tokenizers';
import { TopicsModel } from './topicsModel';
import { trust, type Trust } from './trust';

/** Anything with a dispose(), as ExtensionContext.subscriptions holds them. */
export interface Disposal {
  dispose(): unknown;
}

/**
 * What every part of the editor shares, built once at activation (src/extension.ts): features,
 * commands and views take this, plus their own feature-local objects (a tree view, the judge's
 * model), instead of a bag of their own.
 */
export interface TuneLabContext {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly config: Config;
  readonly trust: Trust;
  /** Workspace state: remembered choices (endpoints, generation options, Prompt Lab's history). */
  readonly state: vscode.Memento;
  readonly secrets: vscode.SecretStorage;
  readonly endpoints: EndpointRegistry;
  /** The one sidecar store (provenance, verdicts, scores), so its watchers tell its own writes from other tools'. */
  readonly sidecars: WorkspaceSidecars;
  readonly lintSettings: LintSettingsSource;
  /** The open datasets' findings. */
  readonly linting: DatasetLinting;
  /** The topics file and its coverage. */
  readonly topics: TopicsModel;
  /** Every command is registered through this (src/host/commandTable.ts). */
  readonly commands: CommandTable;
  /** Disposed with the extension. */
  push(...disposables: readonly Disposal[]): void;
}

/** Builds the shared models; each is disposed with the extension. */
export function createContext(extension: vscode.ExtensionContext, log: vscode.LogOutputChannel): TuneLabContext {
  const push = (...disposables: readonly Disposal[]): void => { extension.subscriptions.push(...disposables); };
  const { extensionUri, workspaceState: state, secrets } = extension;
  const config = new Config();
  push(config);
  const lintSettings = new LintSettingsSource(config);
  push(lintSettings);
  const linting = new DatasetLinting(extensionUri, lintSettings, () => loadTokenizers(extensionUri), log);
  push(linting);
  const endpoints = new EndpointRegistry(config, secrets, log, () => loadEndpointBackends(extensionUri));
  push(endpoints);
  const sidecars = new WorkspaceSidecars();
  const topics = new TopicsModel(config, state, log, sidecars);
  push(topics);
  const commands = new CommandTable(log, trust);
  return { extensionUri, log, config, trust, state, secrets, endpoints, sidecars, lintSettings, linting, topics, commands, push };
}
