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
