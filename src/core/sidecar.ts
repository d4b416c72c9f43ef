/**
 * Where TuneLab keeps what it knows about a file without touching it: a `.tunelab` folder beside
 * the file, `dir/.tunelab/<file name>.<kind>.json` (provenance, verdicts, scores).
 *
 * Pure and platform-neutral: paths are handled as strings, with `/` or `\` separators.
 */
export function sidecarPathFor(filePath: string, kind: string): string {
  const slash = filePath.lastIndexOf('/');
  const backslash = filePath.lastIndexOf('\\');
  const cut = Math.max(slash, backslash);
  if (cut < 0) return `.tunelab/${filePath}.${kind}.json`;
  const sep = cut === slash ? '/' : '\\';
  return `${filePath.slice(0, cut)}${sep}.tunelab${sep}${filePath.slice(cut + 1)}.${kind}.json`;
}

/**
 * Whether a text holds Git's conflict markers: a line that starts with seven `<`, `|`, `=` or `>`
 * (`<<<<<<< ours`, `||||||| base` in the diff3 style, `=======`, `>>>>>>> theirs`), as git-merge
 * writes them (https://git-scm.com/docs/git-merge#_how_conflicts_are_presented). A sidecar merged
 * this way is not JSON, and rewriting it would drop both sides.
 */
export function hasConflictMarkers(text: string): boolean {
  return /^(?:<{7}|\|{7}|>{7})(?:[ \t]|\r?$)|^={7}\r?$/m.test(text);
}

/**
 * Why a sidecar cannot be read whole, so it must be left as it is: rewriting it would drop what
 * could not be read (a merge's other side, a newer TuneLab's fields, a damaged entry).
 */
export interface SidecarUnreadable {
  /** Follows the file's name: "has merge conflict markers (…)". */
  readonly reason: string;
  /** What to do about it, a sentence without its final period: "Resolve the conflict in it, …". */
  readonly fix: string;
}

/** Why text that JSON.parse refused cannot be read: a merge left in it, else the parser's message. */
export function unparsedSidecar(text: string, error: unknown, keep: string): SidecarUnreadable {
  if (hasConflictMarkers(text)) {
    return { reason: 'has merge conflict markers (<<<<<<<, =======, >>>>>>>)', fix: `Resolve the conflict in it, keeping ${keep} of both sides` };
  }
  return { reason: `is not valid JSON (${printable(error instanceof Error ? error.message : String(error))})`, fix: `Fix the JSON, or delete the file (${keep} in it are then lost)` };
}

/**
 * Text from a file made safe to show in a message or a terminal: control characters (escape
 * sequences included: the parser quotes the text it choked on) become `?`, and it is cut short.
 */
export function printable(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}
