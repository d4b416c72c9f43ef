/**
 * Duplicate detection for datasets: exact duplicates by normalized text, near-duplicates by
 * word-shingle similarity. Both indexes update row by row, for a dataset being edited.
 */
export { normalizeText } from './normalize';
export { ExactIndex, confirmGroup, exactKey, hashKey } from './exact';
export { NearDuplicateIndex, type NearDuplicateOptions, type NearGroup, type Partner } from './nearIndex';
export { candidateProbability, chooseBanding } from './minhash';
export { shingleHashes } from './shingles';
