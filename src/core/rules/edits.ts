/**
 * Edits inside JSON string values, checked before they are offered: a fix that would break the
 * line's JSON (because the locator fell back to a wider range) is worse than no fix.
 */
import type { LineEdit, LineLocator, TextField } from '../lint/types';

/**
 * The edit that replaces decoded characters `[from, to)` of `field` with `text` (which must need
 * no JSON escaping), or undefined when the raw columns do not decode to exactly those characters.
 */
export function replaceInString(at: LineLocator, field: TextField, from: number, to: number, text = ''): LineEdit | undefined {
  const value = at.valueRange(field.path);
  if (at.text.charCodeAt(value.start) !== 0x22 /* " */) return undefined;
  const { start, end } = at.stringRange(field.path, from, to);
  if (start <= value.start || end >= value.end) return undefined;
  const raw = at.text.slice(start, end);
  let decoded: unknown;
  try {
    decoded = JSON.parse(`"${raw}"`);
  } catch {
    return undefined;
  }
  return decoded === field.text.slice(from, to) ? { start, end, text } : undefined;
}
