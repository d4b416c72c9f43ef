import * as vscode from 'vscode';

/**
 * The Topics view. The topics tree (categories → subtopics with coverage) is not built yet, so
 * the view has no items on purpose: VS Code then shows its welcome content (package.json
 * `viewsWelcome`), which says what is there and what to do, rather than showing made-up data.
 */
export class TopicsTreeProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }

  getChildren(): never[] {
    return [];
  }
}

export const TOPICS_VIEW_ID = 'tunelab.topics';
