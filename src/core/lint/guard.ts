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
  return new SafeLocator(at, whole);
}

/** A class rather than closures: one is made for every row checked. */
class SafeLocator implements LineLocator {
  constructor(private readonly at: LineLocator, private readonly whole: { start: number; end: number }) {}

  get text(): string {
    return this.at.text;
  }

  valueRange(path: JsonPath): { start: number; end: number } {
    try {
      return this.at.valueRange(path);
    } catch {
      return this.whole;
    }
  }

  keyRange(path: JsonPath): { start: number; end: number } {
    try {
      return this.at.keyRange(path);
    } catch {
      return this.whole;
    }
  }

  stringRange(path: JsonPath, from: number, to: number): { start: number; end: number } {
    try {
      return this.at.stringRange(path, from, to);
    } catch {
      return this.whole;
    }
  }
}
