/**
 * What every TuneLab command does around its own work (src/host/commandTable.ts applies it):
 * the Restricted Mode gate, a cancelled run treated as no error, and any other failure logged
 * and shown with a Show Log button. No `vscode` here: the effects are passed in, so the policy
 * is unit-tested without the editor (test/unit/command-policy.test.ts).
 */
import { endpointErrorKind } from '../endpoints/types';

/**
 * A command that makes network calls or acts on a model's or the workspace's say-so runs only
 * in a trusted workspace. `to` gives the usual notice (`… Trust the workspace to <to>.`);
 * `message` replaces it whole. `manage` adds the Manage Workspace Trust button.
 */
export type TrustGate =
  | { readonly to: string; readonly manage?: boolean }
  | { readonly message: string; readonly manage?: boolean };

export const MANAGE_TRUST = 'Manage Workspace Trust';
export const SHOW_LOG = 'Show Log';

export interface CommandPolicy {
  readonly trust?: TrustGate;
  /** Put before a failure's message in the error shown: `the eval run failed: `. */
  readonly errorPrefix?: string;
}

export interface Notice {
  readonly message: string;
  readonly buttons: readonly string[];
}

/** `This workspace is in Restricted Mode, …` without the `TuneLab: ` a notification puts first. */
export function restrictedText(to: string): string {
  return `This workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to ${to}.`;
}

export function restrictedNotice(gate: TrustGate): Notice {
  const message = 'message' in gate ? gate.message : `TuneLab: ${lowerFirst(restrictedText(gate.to))}`;
  return { message, buttons: gate.manage === true ? [MANAGE_TRUST] : [] };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * A run the user stopped: VS Code's CancellationError (name `Canceled`), an aborted fetch or
 * signal (`AbortError`), or an endpoint call that ended because it was cancelled.
 */
export function isCancellation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'AbortError' || err.name === 'Canceled' || endpointErrorKind(err) === 'cancelled';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What the policy does to the editor. */
export interface CommandEffects {
  isTrusted(): boolean;
  /** Shows the Restricted Mode notice. */
  restricted(notice: Notice): void;
  /** Logs `logLine` as an error and shows `notice`. */
  failed(logLine: string, notice: Notice): void;
  /** Logs that the run was cancelled (shown nowhere). */
  cancelled(logLine: string): void;
}

/**
 * Runs one command call under the policy. Its result is passed back (scripts and tests read
 * some commands' results); a refused, cancelled or failed run gives undefined and never throws,
 * so VS Code adds no message of its own.
 */
export async function runCommand<R>(id: string, policy: CommandPolicy, effects: CommandEffects, run: () => R | PromiseLike<R>): Promise<R | undefined> {
  if (policy.trust !== undefined && !effects.isTrusted()) {
    effects.restricted(restrictedNotice(policy.trust));
    return undefined;
  }
  try {
    return await run();
  } catch (err) {
    handleFailure(id, err, policy.errorPrefix ?? '', effects);
    return undefined;
  }
}

/** A failure of command `id`: nothing shown when it was a cancellation, else logged and shown with Show Log. */
export function handleFailure(id: string, err: unknown, prefix: string, effects: CommandEffects): void {
  if (isCancellation(err)) {
    effects.cancelled(`${id}: cancelled.`);
    return;
  }
  const message = errorMessage(err);
  effects.failed(`${id}: ${message}`, { message: `TuneLab: ${prefix}${message}`, buttons: [SHOW_LOG] });
}
