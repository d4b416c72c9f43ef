/**
 * Paths a workspace supplies (its settings, its sidecars) are untrusted: a repository can ship a
 * `.vscode/settings.json` that names `../../somewhere`. These checks keep such a path inside the
 * workspace folder it came with.
 *
 * Pure and platform-neutral: paths are URI paths (`/` separated, as `vscode.Uri.path` gives
 * them, `/c:/…` on Windows); a `\` in the supplied path counts as a separator too.
 */

/**
 * The path `path` names, resolved against `folder` (when relative), if it stays inside the
 * folder; undefined when it leaves it (through `..` or as an absolute path elsewhere) or is the
 * folder itself. `.` and `..` are resolved as a file system would, and a drive letter compares
 * without case.
 */
export function insideFolder(folder: string, path: string): string | undefined {
  const supplied = path.replace(/\\/g, '/');
  const root = segments(folder);
  const absolute = supplied.startsWith('/') ? supplied : /^[A-Za-z]:\//.test(supplied) ? `/${supplied}` : undefined;
  const resolved = segments(absolute ?? `${folder}/${supplied}`);
  if (root === undefined || resolved === undefined || resolved.length <= root.length) return undefined;
  const key = (part: string | undefined): string | undefined => (part !== undefined && /^[A-Za-z]:$/.test(part) ? part.toLowerCase() : part);
  if (root.some((part, i) => key(part) !== key(resolved[i]))) return undefined;
  return `/${resolved.join('/')}`;
}

/** A path's parts with `.` and `..` resolved; undefined when `..` climbs above the root. */
function segments(path: string): string[] | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}
