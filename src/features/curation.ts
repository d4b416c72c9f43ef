/**
 * Curation's bundle (dist/curation.js), loaded on first use (src/features/lazyFeatures.ts): the
 * row scores, their decorations, Score Rows and Move Rows Below Score.
 */
import { registerCuration } from '../commands/curation';
import type { TuneLabContext } from '../host/context';
import type { FeatureHandle } from './lazyFeature';

export function start(ctx: TuneLabContext): FeatureHandle {
  return { disposables: registerCuration(ctx) };
}
