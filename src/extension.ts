// First: its body marks when this bundle began to evaluate (see activate's measure below).
import { evaluationStart } from './host/activationClock';
import * as vscode from 'vscode';
import { registerEndpointCommands } from './commands/endpoints';
import { registerGeneralCommands } from './commands/general';
import { VERSION } from './core/version';
import { datasetFeature } from './features/dataset';
import { lazyCuration, lazyJudge, lazyPromptLab, loadPromptFileParser } from './features/lazyFeatures';
import { topicsFeature } from './features/topics';
import { createContext } from './host/context';
import { bundlesInMemory } from './host/lazyBundle';
import { PromptDiagnostics } from './providers/promptDiagnostics';

/** Imports are evaluated before this line: the bundle's modules are done. */
const evaluationEnd = performance.now();

/** How activation went, measured in the extension host itself (the integration tests read it). */
export interface ActivationRecord {
  /**
   * TuneLab's activation time in milliseconds (performance.now()): evaluating its bundle plus the
   * activate() call, the two parts VS Code's Running Extensions view adds up.
   */
  readonly ms: number;
  /** Of that: evaluating the bundle's modules. */
  readonly evaluateMs: number;
  /** Of that: the activate() call itself. */
  readonly activateMs: number;
  /** Not in `ms`: the extension host's own time between evaluating the bundle and calling activate(). */
  readonly hostMs: number;
  /** The dist/ bundles evaluated when activate() ended, by file name. */
  readonly bundles: readonly string[];
}

/** What activate() returns: `vscode.extensions.getExtension('tunelab.tunelab').exports`. */
export interface TuneLabApi {
  readonly activation: ActivationRecord;
  /** The dist/ bundles evaluated now: the judge, curation, Prompt Lab and generation load on first use. */
  loadedBundles(): string[];
}

/** The composition root: builds the shared context once, then wires each feature onto it; everything is disposed on deactivate. */
export function activate(context: vscode.ExtensionContext): TuneLabApi {
  const activateStart = performance.now();
  const log = vscode.window.createOutputChannel('TuneLab', { log: true });
  context.subscriptions.push(log);
  try {
    const ctx = createContext(context, log);
    // Each feature wired onto the one context. The judge, curation, Prompt Lab and generation are
    // bundles of their own, evaluated on first use: only their command stand-ins and cheap
    // provider shells are registered here.
    ctx.push(
      ...registerGeneralCommands(ctx),
      ...datasetFeature(ctx),
      new PromptDiagnostics(() => loadPromptFileParser(ctx.extensionUri), log),
      ...registerEndpointCommands(ctx),
      ...lazyCuration(ctx),
      ...topicsFeature(ctx),
      ...lazyPromptLab(ctx),
      ...lazyJudge(ctx),
    );
    const end = performance.now();
    const evaluateMs = evaluationEnd - evaluationStart;
    const activateMs = end - activateStart;
    const activation: ActivationRecord = { ms: evaluateMs + activateMs, evaluateMs, activateMs, hostMs: activateStart - evaluationEnd, bundles: bundlesInMemory(context.extensionUri) };
    log.info(`TuneLab ${VERSION} activated in VS Code ${vscode.version} in ${activation.ms.toFixed(1)} ms: ${evaluateMs.toFixed(1)} ms evaluating its code, ${activateMs.toFixed(1)} ms in activate() (bundles evaluated: ${activation.bundles.join(', ')})${ctx.trust.isTrusted ? '' : ' (Restricted Mode: no network calls)'}`);
    return { activation, loadedBundles: () => bundlesInMemory(context.extensionUri) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error(`TuneLab failed to start: ${message}`);
    void vscode.window.showErrorMessage(`TuneLab failed to start: ${message}`, 'Show Log').then((choice) => {
      if (choice) log.show();
    });
    throw err;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
