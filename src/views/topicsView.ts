import * as vscode from 'vscode';
import type { Category, Topic } from '../core/topics/topicsFile';
import type { TopicsModel } from '../host/topicsModel';

export const TOPICS_VIEW_ID = 'tunelab.topics';
const DRAG_MIME = 'application/vnd.code.tree.tunelab.topics';

export type TopicsNode =
  | { readonly kind: 'category'; readonly index: number; readonly category: Category }
  | { readonly kind: 'topic'; readonly category: number; readonly index: number; readonly topic: Topic };

export interface MoveRequest { readonly from: { category: number; index: number }; readonly to: { category: number; index: number } }

/**
 * The Topics tree: categories → subtopics from the topics file, each subtopic with its coverage
 * (rows in the target dataset generated from it) and a distinct icon while it has none. With no
 * topics file it has no items, so VS Code shows the view's welcome (Create, Import).
 */
export class TopicsTreeProvider implements vscode.TreeDataProvider<TopicsNode>, vscode.TreeDragAndDropController<TopicsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TopicsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly dragMimeTypes = [DRAG_MIME];
  readonly dropMimeTypes = [DRAG_MIME];
  private readonly subscription: vscode.Disposable;

  constructor(private readonly model: TopicsModel, private readonly move: (request: MoveRequest) => Promise<void>) {
    this.subscription = model.onDidChange(() => { this.changed.fire(undefined); });
  }

  getTreeItem(node: TopicsNode): vscode.TreeItem {
    if (node.kind === 'category') {
      const { category } = node;
      const total = category.subtopics.reduce((n, t) => n + (this.model.counts.get(t.id) ?? 0), 0);
      const item = new vscode.TreeItem(category.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `c:${category.name}`;
      item.contextValue = 'tunelab.category';
      item.iconPath = new vscode.ThemeIcon('folder-library');
      item.description = `${category.subtopics.length} subtopic${category.subtopics.length === 1 ? '' : 's'} · ${total} row${total === 1 ? '' : 's'}`;
      item.tooltip = category.notes === undefined ? category.name : new vscode.MarkdownString().appendText(`${category.name}\n\n${category.notes}`);
      return item;
    }
    const { topic } = node;
    const count = this.model.counts.get(topic.id) ?? 0;
    const item = new vscode.TreeItem(topic.name, vscode.TreeItemCollapsibleState.None);
    item.id = `t:${topic.id}`;
    item.contextValue = 'tunelab.topic';
    item.description = count === 0 ? 'not generated yet' : `${count} row${count === 1 ? '' : 's'}`;
    item.iconPath = count === 0 ? new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('descriptionForeground')) : new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    const target = this.model.target === undefined ? 'the target dataset' : vscode.workspace.asRelativePath(this.model.target);
    const tip = new vscode.MarkdownString();
    tip.appendText(`${topic.category} › ${topic.name}\n\n${count} row(s) in ${target} were generated from this topic.`);
    if (topic.notes !== undefined) tip.appendText(`\n\n${topic.notes}`);
    if (topic.questions !== undefined) tip.appendText(`\n\nQuestions per run: ${topic.questions}`);
    item.tooltip = tip;
    item.accessibilityInformation = { label: `${topic.name}, ${item.description}` };
    return item;
  }

  getChildren(node?: TopicsNode): TopicsNode[] {
    const file = this.model.file;
    if (file === undefined) return [];
    // Indexes are the file's own (a malformed entry the parser skipped still has its place there).
    if (node === undefined) return file.categories.map((category) => ({ kind: 'category', index: category.index, category }));
    if (node.kind === 'topic') return [];
    return node.category.subtopics.map((topic) => ({ kind: 'topic', category: topic.categoryIndex, index: topic.index, topic }));
  }

  getParent(node: TopicsNode): TopicsNode | undefined {
    if (node.kind === 'category') return undefined;
    const category = this.model.file?.categories.find((c) => c.index === node.category);
    return category === undefined ? undefined : { kind: 'category', index: category.index, category };
  }

  handleDrag(source: readonly TopicsNode[], data: vscode.DataTransfer): void {
    const topics = source.filter((n) => n.kind === 'topic');
    if (topics.length === 1 && topics[0] !== undefined) {
      data.set(DRAG_MIME, new vscode.DataTransferItem(JSON.stringify({ category: topics[0].category, index: topics[0].index })));
    }
  }

  async handleDrop(target: TopicsNode | undefined, data: vscode.DataTransfer): Promise<void> {
    const raw: unknown = await data.get(DRAG_MIME)?.asString();
    if (typeof raw !== 'string' || target === undefined) return;
    const from = JSON.parse(raw) as { category: number; index: number };
    // Dropped on a category: to its end; on a subtopic: to its place.
    const to = target.kind === 'category'
      ? { category: target.index, index: (target.category.subtopics.at(-1)?.index ?? -1) + 1 }
      : { category: target.category, index: target.index };
    if (from.category === to.category && from.index === to.index) return;
    await this.move({ from, to });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
