import * as vscode from 'vscode';
import { handleFailure, MANAGE_TRUST, restrictedNotice, runCommand, SHOW_LOG, type CommandEffects, type CommandPolicy, type Notice, type TrustGate } from './commandPolicy';
import type { Trust } from './trust';

/** A command's handler: VS Code passes whatever the caller gave (a URI, a tree node, an options object). */
export type CommandHandler = (...args: unknown[]) => unknown;

/**
 * The one way TuneLab registers a command: every handler runs under the same policy
 * (src/host/commandPolicy.ts): the Restricted Mode gate when the command asks for it, a
 * cancelled run shown as nothing, any other failure logged and shown with Show Log.
 */
export class CommandTable {
  private readonly effects: CommandEffects;

  constructor(private readonly log: vscode.LogOutputChannel, private readonly trust: Trust) {
    this.effects = {
      isTrusted: () => this.trust.isTrusted,
      restricted: (notice) => { this.showRestricted(notice); },
      failed: (line, notice) => {
        this.log.error(line);
        void vscode.window.showErrorMessage(notice.message, ...notice.buttons).then((choice) => {
          if (choice === SHOW_LOG) this.log.show();
        });
      },
      cancelled: (line) => { this.log.info(line); },
    };
  }

  registerCommand(id: string, handler: CommandHandler, policy: CommandPolicy = {}): vscode.Disposable {
    return vscode.commands.registerCommand(id, (...args: unknown[]) => runCommand(id, policy, this.effects, () => handler(...args)));
  }

  /**
   * The trust gate on its own, for a command that checks it after a first step of its own
   * (a command called with nothing to act on returns before it). False: the notice was shown.
   */
  trusted(gate: TrustGate): boolean {
    if (this.trust.isTrusted) return true;
    this.showRestricted(restrictedNotice(gate));
    return false;
  }

  /**
   * A failure a command caught to carry on after it, reported as the table reports one that
   * escapes: logged and shown with Show Log (`TuneLab: <prefix><message>`), or nothing for a cancellation.
   */
  reportFailure(id: string, err: unknown, prefix = ''): void {
    handleFailure(id, err, prefix, this.effects);
  }

  private showRestricted(notice: Notice): void {
    void vscode.window.showWarningMessage(notice.message, ...notice.buttons).then((choice) => {
      if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }
}
