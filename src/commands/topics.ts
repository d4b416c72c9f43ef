import * as vscode from 'vscode';
import { addCategory, addSubtopics, deleteCategory, deleteSubtopic, isEditError, moveSubtopic, newTopicsFile, renameCategory, renameSubtopic, type EditResult } from '../core/topics/edits';
import { importTopics } from '../core/topics/importTopics';
import { renameTopics } from '../core/topics/provenance';
import { topicId, type Category } from '../core/topics/topicsFile';
import type { TuneLabContext } from '../host/context';
import { findTopicsFile, topicsFileLocations } from '../host/topicsFile';
import type { MoveRequest, TopicsNode } from '../views/topicsView';
import { CommandId } from '../host/commandIds';

function isNode(value: unknown): value is TopicsNode {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return false;
  return value.kind === 'category' || value.kind === 'topic';
}

/** The node a command is about: the one right-clicked, else the tree's selection. */
export function nodeOf(view: vscode.TreeView<TopicsNode>, arg: unknown): TopicsNode | undefined {
  return isNode(arg) ? arg : view.selection[0];
}

/**
 * Applies topics-file edits as one WorkspaceEdit on the file (one undo step; the file keeps its
 * comments and formatting), computed against the document's current text, and saves it when it
 * had no other unsaved changes.
 */
export async function editTopics(ctx: TuneLabContext, compute: (text: string) => EditResult): Promise<boolean> {
  const uri = ctx.topics.uri ?? await findTopicsFile(ctx.config);
  if (uri === undefined) {
    void vscode.window.showWarningMessage('TuneLab: there is no topics file. Create one from the Topics view.');
    return false;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const wasDirty = document.isDirty;
  const result = compute(document.getText());
  if (isEditError(result)) {
    void vscode.window.showWarningMessage(`TuneLab: ${result.error}`);
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  for (const e of result) edit.replace(uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.content);
  if (!await vscode.workspace.applyEdit(edit)) {
    void vscode.window.showErrorMessage(`TuneLab: VS Code refused the edit to ${vscode.workspace.asRelativePath(uri)}.`);
    return false;
  }
  if (!wasDirty) await document.save();
  await ctx.topics.refresh();
  return true;
}

async function askName(title: string, value = '', taken: readonly string[] = []): Promise<string | undefined> {
  const lower = new Set(taken.map((t) => t.trim().toLowerCase()));
  const name = await vscode.window.showInputBox({
    title, value,
    validateInput: (v) => (v.trim() === '' ? 'A name is needed.' : lower.has(v.trim().toLowerCase()) && v.trim() !== value ? 'That name is already there.' : undefined),
  });
  return name?.trim();
}

/**
 * Before a rename: the target's provenance sidecar must be readable, since the rename moves the
 * topic's rows to its new id there. When it is not (a merge conflict, a newer TuneLab's file),
 * the rename is not made and the user is told which file to fix.
 */
async function provenanceAllowsRename(ctx: TuneLabContext, what: string): Promise<boolean> {
  const target = ctx.topics.target;
  if (target === undefined) return true;
  const problem = await ctx.topics.provenanceProblem(target);
  if (problem === undefined) return true;
  ctx.log.warn(`Rename ${what}: ${problem.file} ${problem.reason}; the topic was not renamed.`);
  void vscode.window.showErrorMessage(`TuneLab: ${what} was not renamed: its coverage is kept in ${problem.file}, which ${problem.reason}. ${problem.fix}, then rename again.`);
  return false;
}

/** Keeps coverage when topics are renamed: their rows in the target dataset get the new ids. */
async function renameProvenance(ctx: TuneLabContext, renames: Map<string, string>, what: string): Promise<void> {
  const target = ctx.topics.target;
  if (target === undefined || renames.size === 0) return;
  const result = await ctx.topics.updateProvenance(target, (p) => renameTopics(p, renames));
  if (result.ok) return;
  // Read again at the write: the file changed after the check (or could not be written); it is left as it is.
  ctx.log.warn(`Rename ${what}: ${result.file} ${result.reason}; it was left as it is.`);
  void vscode.window.showErrorMessage(`TuneLab: ${what} was renamed, but its coverage was not moved: ${result.file} ${result.reason} and was left as it is. Undo the rename in the topics file, ${lowerFirst(result.fix)}, then rename again.`);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function categoryOf(ctx: TuneLabContext, node: TopicsNode): Category | undefined {
  const index = node.kind === 'category' ? node.index : node.category;
  return ctx.topics.file?.categories.find((c) => c.index === index);
}

async function createOrImport(ctx: TuneLabContext, importing: boolean): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) {
    void vscode.window.showWarningMessage('TuneLab: open a folder first; the topics file lives in it.');
    return;
  }
  const existing = ctx.topics.uri ?? await findTopicsFile(ctx.config);
  const locations = topicsFileLocations(ctx.config);
  const uri = existing ?? locations.candidates[0];
  if (uri === undefined) {
    // A workspace setting that points outside the folder: no file is created there.
    void vscode.window.showWarningMessage(`TuneLab: ${locations.outside ?? 'there is no place for the topics file: open a folder first.'}`);
    return;
  }
  let categories: { name: string; subtopics: string[] }[] = [{ name: 'My first category', subtopics: ['A first subtopic'] }];
  if (importing) {
    const source = await vscode.window.showOpenDialog({ title: 'Import topics from a list, Markdown or a Python file', canSelectMany: false, filters: { 'Lists': ['txt', 'md', 'py', 'markdown'], 'All files': ['*'] } });
    if (source?.[0] === undefined) return;
    const result = importTopics(new TextDecoder().decode(await vscode.workspace.fs.readFile(source[0])), 'auto');
    for (const w of result.warnings) ctx.log.warn(`${vscode.workspace.asRelativePath(source[0])}:${w.line}: ${w.message}`);
    if (result.categories.length === 0) {
      void vscode.window.showWarningMessage('TuneLab: no topics were found in that file.');
      return;
    }
    if (result.warnings.length > 0) {
      const first = result.warnings[0];
      const choice = await vscode.window.showWarningMessage(
        `TuneLab: ${result.warnings.length} warning(s) while importing, e.g. line ${first?.line ?? 0}: ${first?.message ?? ''}`,
        { modal: true, detail: 'See the TuneLab log for every warning.' }, 'Import Anyway',
      );
      if (choice === undefined) return;
    }
    categories = result.categories.map((c) => ({ name: c.name, subtopics: [...c.subtopics] }));
  }
  if (existing !== undefined) {
    // Importing into an existing file adds categories and subtopics, never replaces them.
    for (const c of categories) {
      const current = ctx.topics.file?.categories.find((k) => k.name.toLowerCase() === c.name.toLowerCase());
      const ok = current === undefined
        ? await editTopics(ctx, (text) => addCategory(text, c.name)) && await editTopics(ctx, (text) => addSubtopics(text, ctx.topics.file?.categories.at(-1)?.index ?? 0, c.subtopics))
        : await editTopics(ctx, (text) => addSubtopics(text, current.index, c.subtopics));
      if (!ok) return;
    }
  } else {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(newTopicsFile(categories)));
    await ctx.topics.refresh();
  }
  await vscode.window.showTextDocument(uri, { preview: false });
}

export function registerTopicsCommands(ctx: TuneLabContext, view: vscode.TreeView<TopicsNode>): vscode.Disposable[] {
  // Generation's commands (generatePairs, generateForCategory, suggestSubtopics, copyDefaultPrompts) are
  // in commands/generate.ts: their own bundle, loaded on first use.
  const { commands } = ctx;
  return [
    commands.registerCommand(CommandId.addCategory, async () => {
      const name = await askName('TuneLab: New category', '', ctx.topics.file?.categories.map((c) => c.name) ?? []);
      if (name !== undefined) await editTopics(ctx, (text) => addCategory(text, name));
    }),
    commands.registerCommand(CommandId.addTopic, async (arg?: unknown) => {
      const node = nodeOf(view, arg);
      const category = node === undefined ? undefined : categoryOf(ctx, node);
      if (category === undefined) return;
      const name = await askName(`TuneLab: New subtopic of ${category.name}`, '', category.subtopics.map((t) => t.name));
      if (name !== undefined) await editTopics(ctx, (text) => addSubtopics(text, category.index, [name]));
    }),
    commands.registerCommand(CommandId.renameTopic, async (arg?: unknown) => {
      const node = nodeOf(view, arg);
      if (node === undefined) return;
      if (node.kind === 'category') {
        const name = await askName('TuneLab: Rename category', node.category.name, ctx.topics.file?.categories.map((c) => c.name) ?? []);
        if (name === undefined || name === node.category.name) return;
        const what = `The category "${node.category.name}"`;
        if (!await provenanceAllowsRename(ctx, what)) return;
        if (await editTopics(ctx, (text) => renameCategory(text, node.index, name))) {
          await renameProvenance(ctx, new Map(node.category.subtopics.map((t) => [t.id, topicId(name, t.name)])), what);
          await ctx.topics.refresh();
        }
      } else {
        const siblings = categoryOf(ctx, node)?.subtopics.map((t) => t.name) ?? [];
        const name = await askName('TuneLab: Rename subtopic', node.topic.name, siblings);
        if (name === undefined || name === node.topic.name) return;
        const what = `The subtopic "${node.topic.name}"`;
        if (!await provenanceAllowsRename(ctx, what)) return;
        if (await editTopics(ctx, (text) => renameSubtopic(text, node.category, node.index, name))) {
          await renameProvenance(ctx, new Map([[node.topic.id, topicId(node.topic.category, name)]]), what);
          await ctx.topics.refresh();
        }
      }
    }),
    commands.registerCommand(CommandId.deleteTopic, async (arg?: unknown) => {
      const node = nodeOf(view, arg);
      if (node === undefined) return;
      const what = node.kind === 'category' ? `the category "${node.category.name}" and its ${node.category.subtopics.length} subtopic(s)` : `the subtopic "${node.topic.name}"`;
      const choice = await vscode.window.showWarningMessage(`Delete ${what} from the topics file?`, { modal: true, detail: 'Rows already generated stay in the dataset. Undo in the topics file brings the topic back.' }, 'Delete');
      if (choice === undefined) return;
      await editTopics(ctx, (text) => (node.kind === 'category' ? deleteCategory(text, node.index) : deleteSubtopic(text, node.category, node.index)));
    }),
    commands.registerCommand(CommandId.revealTopic, async (arg?: unknown) => {
      const node = nodeOf(view, arg);
      const uri = ctx.topics.uri;
      if (node === undefined || uri === undefined) return;
      const document = await vscode.workspace.openTextDocument(uri);
      const at = node.kind === 'category' ? node.category : node.topic;
      const range = new vscode.Range(document.positionAt(at.nameOffset), document.positionAt(at.nameOffset + at.nameLength));
      await vscode.window.showTextDocument(document, { selection: range, preview: false });
    }),
    commands.registerCommand(CommandId.createTopicsFile, () => createOrImport(ctx, false)),
    commands.registerCommand(CommandId.importTopics, () => createOrImport(ctx, true)),
    commands.registerCommand(CommandId.refreshTopics, () => ctx.topics.refresh()),
  ];
}

/** The tree's drag and drop, as an edit of the topics file. It needs no view: the tree is built before it. */
export function moveHandler(ctx: TuneLabContext): (request: MoveRequest) => Promise<void> {
  return async ({ from, to }) => {
    const moving = ctx.topics.file?.categories.find((c) => c.index === from.category)?.subtopics.find((t) => t.index === from.index);
    const target = ctx.topics.file?.categories.find((c) => c.index === to.category);
    const renames = moving !== undefined && target !== undefined && target.name !== moving.category;
    const what = `The subtopic "${moving?.name ?? ''}"`;
    // Moving to another category gives the subtopic a new id: its coverage moves with it, or the move waits.
    if (renames && !await provenanceAllowsRename(ctx, what)) return;
    if (await editTopics(ctx, (text) => moveSubtopic(text, from, to)) && renames) {
      await renameProvenance(ctx, new Map([[moving.id, topicId(target.name, moving.name)]]), what);
      await ctx.topics.refresh();
    }
  };
}
