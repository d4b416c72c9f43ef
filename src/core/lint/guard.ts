/**
 * What the engine does when a check throws: the row is reported as not fully checked (`unchecked`,
 * an error that names the check and why), and the row's other checks still run. A row that a check
 * could not finish must never look clean, in the editor or in CI.
 */
import type { Issue, JsonPath, LineLocator } from './types';

/** Why a check threw, in words a user can act on. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (err instanceof RangeError && /call stack|Invalid (string|array) length|Array buffer allocation/i.test(text)) {
    return `the row is too large or too deeply nested for it (${text})`;
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The `unchecked` issue for a check that threw on a row. `what` names the check: a rule id
 * (`too-long`), "the format check", "the duplicate checks"…
 */
export function uncheckedIssue(what: string, err: unknown, range: { start: number; end: number }): Issue {
  return {
    rule: 'unchecked',
    ...range,
    message: `${what} could not check this row: ${reason(err)}; its problems are unknown. Split the answer or simplify the record (shorter text, less nesting), and report it to TuneLab if the row looks ordinary.`,
  };
}

/** The `unchecked` message for the checks of the whole file. */
export function uncheckedFileMessage(err: unknown): string {
  return `The dataset checks (too-few-examples, too-many-examples, file-too-large, small-validation) could not run: ${reason(err)}; the file's size and example count were not checked. Report this to TuneLab.`;
}

/**
 * A locator that answers the whole line when it cannot place a value: locating parses the line
 * again with positions (recursively), which a line nested thousands deep overflows. A finding
 * with the whole line as its range is still a finding; a check that throws is none.
 */
export function safeLocator(at: LineLocator, whole: { start: number; end: number }): LineLocator {
  const guard = (find: () => { start: number; end: number }): { start: number; end: number } => {
    try {
      return find();
    } catch {
      return whole;
    }
  };
  return {
    text: at.text,
    valueRange: (path: JsonPath) => guard(() => at.valueRange(path)),
    keyRange: (path: JsonPath) => guard(() => at.keyRange(path)),
    stringRange: (path: JsonPath, from: number, to: number) => guard(() => at.stringRange(path, from, to)),
  };
}
