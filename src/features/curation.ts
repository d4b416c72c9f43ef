/**
 * Curation's bundle (dist/curation.js), loaded on first use (src/features/lazyFeatures.ts): the
 * row scores, their decorations, Score Rows and Move Rows Below Score.
 */
import { registerCuration, type CurationServices } from '../commands/curation';
import type { FeatureHandle } from './lazyFeature';

export type CurationFeatureServices = CurationServices;

export function start(s: CurationFeatureServices): FeatureHandle {
  return { disposables: registerCuration(s) };
}
