/**
 * Generation's bundle (dist/generation.js), loaded on first use (src/features/lazyFeatures.ts):
 * Generate Pairs, Generate for All Subtopics, Suggest Subtopics and Copy Default Prompts.
 */
import type * as vscode from 'vscode';
import { registerGenerationCommands } from '../commands/generate';
import type { TuneLabContext } from '../host/context';
import type { TopicsNode } from '../views/topicsView';
import type { FeatureHandle } from './lazyFeature';

/** Generation's commands act on the topics tree's selection when called from the palette. */
export type GenerationLocal = vscode.TreeView<TopicsNode>;

export function start(ctx: TuneLabContext, topicsView: GenerationLocal): FeatureHandle {
  return { disposables: registerGenerationCommands(ctx, topicsView) };
}
