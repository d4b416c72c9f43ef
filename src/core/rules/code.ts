/**
 * Where is the code in a text? Answers about programming hold braces, brackets and TODOs that are
 * code, not unfilled placeholders. Markdown code is recognised: fenced blocks (``` or ~~~, an
 * unclosed one running to the end) and inline `spans` (which end at a line break). Computed only
 * when a field has a candidate finding, once per field.
 */

/** True when the text has a fenced code block. */
export function hasFence(text: string): boolean {
  return text.includes('```') || text.includes('~~~');
}

/** True when the text could hold Markdown code at all. */
export function mayHaveCode(text: string): boolean {
  return text.includes('`') || text.includes('~~~');
}

/** The code ranges of `text`, as a flat sorted list of `[start, end)` pairs. */
export function codeRanges(text: string): number[] {
  const ranges: number[] = [];
  let fence = ''; // the open fence's marker
  let fenceStart = -1;
  let inlineStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      inlineStart = -1;
    } else if (c === 0x60 /* ` */ || c === 0x7e /* ~ */) {
      const marker = text.startsWith('```', i) ? '```' : text.startsWith('~~~', i) ? '~~~' : '';
      if (marker !== '') {
        if (fenceStart === -1) {
          fence = marker;
          fenceStart = i;
          inlineStart = -1;
        } else if (marker === fence) {
          ranges.push(fenceStart, i + 3);
          fenceStart = -1;
        }
        i += 2;
      } else if (c === 0x60 && fenceStart === -1) {
        if (inlineStart === -1) {
          inlineStart = i;
        } else {
          ranges.push(inlineStart, i + 1);
          inlineStart = -1;
        }
      }
    }
  }
  if (fenceStart !== -1) ranges.push(fenceStart, text.length);
  return ranges;
}

/** True when `index` lies in one of `ranges` (from `codeRanges`), by binary search. */
export function inRanges(ranges: readonly number[], index: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2; // pairs [lo, hi)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = ranges[2 * mid] ?? 0;
    const end = ranges[2 * mid + 1] ?? 0;
    if (index < start) hi = mid;
    else if (index >= end) lo = mid + 1;
    else return true;
  }
  return false;
}
