/**
 * The files beside a dataset that mean curation has something to show or offer when it opens:
 * its scores sidecar (the decorations) and an old `<name>.rejected.jsonl` (the offer to move it).
 * Pure path arithmetic from the small modules that define them, so the editor can look for them
 * at activation without loading curation; test/unit/activation.test.ts checks they are the paths
 * curation itself uses (scoresPathFor, legacyRejectedPathFor).
 */
import { legacyRejectedPathFor } from '../core/judge/rejectedFile';
import { sidecarPathFor } from '../core/sidecar';

export function curationFilesFor(datasetPath: string): { readonly scores: string; readonly legacyRejected: string } {
  return { scores: sidecarPathFor(datasetPath, 'scores'), legacyRejected: legacyRejectedPathFor(datasetPath) };
}
