/**
 * Generation's bundle (dist/generation.js), loaded on first use (src/features/lazyFeatures.ts):
 * Generate Pairs, Generate for All Subtopics, Suggest Subtopics and Copy Default Prompts.
 */
import { registerGenerationCommands } from '../commands/generate';
import type { TopicsCommandServices } from '../commands/topics';
import type { FeatureHandle } from './lazyFeature';

export type GenerationFeatureServices = TopicsCommandServices;

export function start(s: GenerationFeatureServices): FeatureHandle {
  return { disposables: registerGenerationCommands(s) };
}
