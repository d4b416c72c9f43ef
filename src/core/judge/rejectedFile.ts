/**
 * Where the rows moved out of a dataset go, so that they are never trained on.
 *
 * JumpStart trains on every `.jsonl` in its training channel: "All training data must be in a
 * single folder, however it can be saved in multiple jsonl files" (aws/amazon-sagemaker-examples,
 * introduction_to_amazon_algorithms/jumpstart-foundation-models/llama-3-finetuning.ipynb), and
 * with an `S3Prefix` data source "SageMaker uses all objects that match the specified key name
 * prefix" (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_S3DataSource.html).
 * `aws s3 sync` "recursively copies new and updated files from the source directory"
 * (https://docs.aws.amazon.com/cli/latest/reference/s3/sync.html), dot-folders included. So a
 * rejected file anywhere in or under the dataset's folder — beside it, or in its `.tunelab/` —
 * is uploaded with it and lands in the training channel. Rejected rows therefore go to the
 * workspace folder's own `.tunelab/rejected/`, mirroring the dataset's path inside the workspace:
 * `<ws>/data/train.jsonl` → `<ws>/.tunelab/rejected/data/train.rejected.jsonl`. Only a dataset at
 * the workspace root (or outside any workspace folder) has no folder above it to use; there the
 * file goes in `.tunelab/rejected/` beside it, and the user is told to exclude `.tunelab/` when
 * syncing that folder.
 *
 * Earlier versions wrote `<name>.rejected.jsonl` beside the dataset (`legacyRejectedPathFor`);
 * `rejectedMigration` is the text that moves such a file's rows to the new one.
 *
 * Pure and platform-neutral: paths are strings with `/` or `\` separators.
 */

/** The folder under a workspace root that holds rejected rows. */
export const REJECTED_FOLDER = ['.tunelab', 'rejected'] as const;

interface Split {
  /** Everything before the file name, without the separator; '' when there is none. */
  readonly dir: string;
  readonly name: string;
  /** The separator the path uses: `/` unless it uses only `\`. */
  readonly sep: string;
  readonly hasDir: boolean;
}

function split(path: string): Split {
  const slash = path.lastIndexOf('/');
  const backslash = path.lastIndexOf('\\');
  const cut = Math.max(slash, backslash);
  const sep = cut >= 0 && cut === backslash ? '\\' : '/';
  return cut < 0 ? { dir: '', name: path, sep, hasDir: false } : { dir: path.slice(0, cut), name: path.slice(cut + 1), sep, hasDir: true };
}

/** `train.jsonl` → `train.rejected.jsonl`; a name without a `.jsonl` extension keeps it whole. */
function rejectedName(name: string): string {
  const ext = /\.jsonl$/i.exec(name);
  if (ext === null || ext.index === 0) return `${name}.rejected.jsonl`;
  return `${name.slice(0, ext.index)}.rejected${ext[0]}`;
}

/** The root without trailing separators, or undefined when `path` is not strictly inside it. */
function insideRoot(path: string, root: string | undefined): { root: string; relative: string } | undefined {
  if (root === undefined) return undefined;
  const trimmed = root.replace(/[/\\]+$/, '');
  if (trimmed === '' || path.length <= trimmed.length + 1 || !path.startsWith(trimmed)) return undefined;
  const next = path[trimmed.length];
  if (next !== '/' && next !== '\\') return undefined;
  return { root: trimmed, relative: path.slice(trimmed.length + 1) };
}

/**
 * Where the rejected rows of the dataset at `datasetPath` go, given the path of the workspace
 * folder it is in (undefined when it is in none): `<root>/.tunelab/rejected/<its path in the
 * root, .jsonl → .rejected.jsonl>`. A dataset outside `rootPath` is treated as having no root:
 * `<its folder>/.tunelab/rejected/<name>.rejected.jsonl`.
 */
export function rejectedPathFor(datasetPath: string, rootPath: string | undefined): string {
  const inside = insideRoot(datasetPath, rootPath);
  if (inside !== undefined) {
    const sep = datasetPath[inside.root.length] ?? '/';
    const relative = split(inside.relative);
    const dirs = relative.hasDir ? `${relative.dir}${sep}` : '';
    return [inside.root, ...REJECTED_FOLDER].join(sep) + sep + dirs + rejectedName(relative.name);
  }
  const { dir, name, sep, hasDir } = split(datasetPath);
  const folder = REJECTED_FOLDER.join(sep);
  return `${hasDir ? `${dir}${sep}` : ''}${folder}${sep}${rejectedName(name)}`;
}

/**
 * True when the rejected file cannot be outside the dataset's own folder: a dataset at the root
 * of its workspace folder, or in none. A sync of that folder must then exclude `.tunelab/`.
 */
export function rejectedInsideDatasetFolder(datasetPath: string, rootPath: string | undefined): boolean {
  const inside = insideRoot(datasetPath, rootPath);
  return inside === undefined || !split(inside.relative).hasDir;
}

/** Where earlier versions put the rejected rows: `data/train.jsonl` → `data/train.rejected.jsonl`. */
export function legacyRejectedPathFor(datasetPath: string): string {
  const { dir, name, sep, hasDir } = split(datasetPath);
  return `${hasDir ? `${dir}${sep}` : ''}${rejectedName(name)}`;
}

/**
 * True for a file that is no training data however it is named `.jsonl`: a rejected file (old or
 * new, `*.rejected.jsonl`) or anything in a `.tunelab` folder (TuneLab's own files).
 */
export function isRejectedPath(path: string): boolean {
  return /\.rejected\.jsonl$/i.test(path) || /(?:^|[/\\])\.tunelab[/\\]/.test(path);
}

export interface RejectedMigration {
  /** The text to append to the new rejected file: whole lines in its line breaks. */
  readonly appended: string;
  /** How many rows move. */
  readonly rows: number;
}

/**
 * What appending the rows of the old rejected file (`legacyText`) to the new one (`targetText`,
 * undefined when it does not exist yet) adds: every non-blank line once, in order, each ending
 * with the new file's line break (else the old file's, else LF), on a line of its own. Blank
 * lines and a byte order mark are no rows and are dropped.
 */
export function rejectedMigration(legacyText: string, targetText: string | undefined): RejectedMigration {
  const text = legacyText.startsWith('\uFEFF') ? legacyText.slice(1) : legacyText;
  const rows = text.split(/\r\n|\n|\r/).filter((line) => line.trim() !== '');
  if (rows.length === 0) return { appended: '', rows: 0 };
  const eol = /\r\n|\n|\r/.exec(targetText ?? '')?.[0] ?? /\r\n|\n|\r/.exec(text)?.[0] ?? '\n';
  const separator = targetText !== undefined && targetText !== '' && !/[\r\n]$/.test(targetText) ? eol : '';
  return { appended: separator + rows.map((row) => row + eol).join(''), rows: rows.length };
}

// ---------------------------------------------------------------------------------------------
// Moving rows without losing any

/**
 * The steps of moving rows out of a dataset (the source) into its rejected file (the
 * destination). Each throws an Error saying why when it cannot do its part.
 */
export interface RowMoveSteps {
  /** Appends the rows to the destination on disk and confirms, by reading it back, that they are there. */
  readonly writeDestination: () => Promise<void>;
  /** Removes the rows from the source in the editor; when it throws, the source is as it was. */
  readonly removeFromSource: () => Promise<void>;
  /** Writes the source to disk; `kept-unsaved` when it had unsaved changes of the user's and is left for them to save. */
  readonly saveSource: () => Promise<'saved' | 'kept-unsaved'>;
}

/** Where the rows are after a move; never in neither file. */
export type RowMoveOutcome =
  /** In the destination only, on disk. */
  | { readonly state: 'moved' }
  /** In the destination on disk, and removed from the source in the editor, which the user saves. */
  | { readonly state: 'moved-unsaved' }
  /** Only in the source, unchanged: the destination could not be written. */
  | { readonly state: 'not-moved'; readonly reason: string }
  /** In both files: removing them from the source, or saving it, failed after the destination had them. */
  | { readonly state: 'in-both'; readonly step: 'remove' | 'save'; readonly reason: string };

function reasonOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/[.\s]+$/, '');
}

/**
 * Moves rows in the one order that can never leave them in neither file: the destination is
 * written and confirmed on disk first, and only then are the rows removed from the source and
 * the source saved. A failure stops the move where it is; in both files is the worst case.
 */
export async function moveRows(steps: RowMoveSteps): Promise<RowMoveOutcome> {
  try {
    await steps.writeDestination();
  } catch (e) {
    return { state: 'not-moved', reason: reasonOf(e) };
  }
  try {
    await steps.removeFromSource();
  } catch (e) {
    return { state: 'in-both', step: 'remove', reason: reasonOf(e) };
  }
  try {
    return { state: await steps.saveSource() === 'saved' ? 'moved' : 'moved-unsaved' };
  } catch (e) {
    return { state: 'in-both', step: 'save', reason: reasonOf(e) };
  }
}

export interface RowMoveNames {
  /** `3 rows`. */
  readonly rows: string;
  /** The dataset, as the user knows it. */
  readonly source: string;
  /** The rejected file, as the user knows it. */
  readonly destination: string;
}

/**
 * What to tell the user when a move did not finish on disk: where the rows are and what to do
 * next. Undefined for a move that finished.
 */
export function rowMoveProblem(outcome: RowMoveOutcome, names: RowMoveNames): string | undefined {
  const { rows, source, destination } = names;
  switch (outcome.state) {
    case 'moved':
      return undefined;
    case 'moved-unsaved':
      return `${source} had unsaved changes, so it was not saved: save it to finish the move (until then its file on disk still has the ${rows}, which are in ${destination} too).`;
    case 'not-moved':
      return `Nothing was moved: the ${rows} could not be written to ${destination} (${outcome.reason}). They are still in ${source}, unchanged. Make ${destination} writable (or save or revert it), then run Move Rows Below Score again.`;
    case 'in-both':
      return outcome.step === 'remove'
        ? `The ${rows} were written to ${destination}, but could not be removed from ${source} (${outcome.reason}), so they are in both files now. Delete them from ${source} by hand to finish the move, or from ${destination} to keep them.`
        : `The ${rows} were written to ${destination} and removed from ${source} in the editor, but ${source} could not be saved (${outcome.reason}): on disk they are in both files. Save ${source} to finish the move, or undo there and delete them from ${destination} to keep them.`;
  }
}
