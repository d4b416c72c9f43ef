/**
 * The topics feature, evaluated at activation: the Topics tree (with drag and drop), its view and
 * its commands over the context's topics model, the topics file's watcher, and generation's
 * stand-ins (generation itself is a bundle of its own, src/features/generation.ts).
 */
import * as vscode from 'vscode';
import { moveHandler, registerTopicsCommands } from '../commands/topics';
import type { Disposal, TuneLabContext } from '../host/context';
import { TopicsFileWatcher } from '../host/topicsFile';
import { TOPICS_VIEW_ID, TopicsTreeProvider } from '../views/topicsView';
import { lazyGeneration } from './lazyFeatures';

export function topicsFeature(ctx: TuneLabContext): Disposal[] {
  // The tree's drag and drop edits the topics file through the context alone, so the tree is
  // built first and the view the commands act on after it.
  const tree = new TopicsTreeProvider(ctx.topics, moveHandler(ctx));
  const view = vscode.window.createTreeView(TOPICS_VIEW_ID, { treeDataProvider: tree, dragAndDropController: tree, showCollapseAll: true });
  return [
    new TopicsFileWatcher(ctx.config, ctx.log),
    tree,
    view,
    ...registerTopicsCommands(ctx, view),
    ...lazyGeneration(ctx, view),
  ];
}
