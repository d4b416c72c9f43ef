/**
 * The content rules, in the order their findings are listed on a line, and the refusal test
 * used for dataset statistics.
 */
import type { ContentRule } from '../lint/types';
import { emptyField } from './empty-field';
import { leakedHeader } from './leaked-header';
import { pii } from './pii';
import { tooLong } from './too-long';
import { tooShort } from './too-short';
import { unfilledPlaceholder } from './unfilled-placeholder';

export const CONTENT_RULES: readonly ContentRule[] = [emptyField, leakedHeader, unfilledPlaceholder, pii, tooLong, tooShort];

export { emptyField, leakedHeader, pii, tooLong, tooShort, unfilledPlaceholder };
export { isRefusal } from './refusal';
