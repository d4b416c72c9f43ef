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

/**
 * The first link on a workspace-relative path: of its prefixes from the folder down (`a`, `a/b`,
 * …, the path itself), the first that `isLink` says is a symbolic link; undefined when none is.
 * A link inside the folder may lead out of it, and a file system without `realpath` (such as
 * vscode.workspace.fs) cannot say where, so a path reached through one is not trusted.
 * The prefixes are asked about one at a time, from the folder down.
 */
export async function firstLinkOn(relative: string, isLink: (prefix: string) => Promise<boolean>): Promise<string | undefined> {
  const parts = relative.replace(/\\/g, '/').split('/').filter((part) => part !== '' && part !== '.');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (await isLink(prefix)) return prefix;
  }
  return undefined;
}
