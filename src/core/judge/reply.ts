/**
 * Reading a judge's reply, whatever it judges: where the answer part starts (after a reasoning
 * model's `<think>` block), the line around a token, the last non-empty line (where fallbacks
 * look), and the reasoning before a token without the markdown and label around it.
 *
 * Pure: no I/O, and nothing here throws.
 */

/** The reply with `\r\n` and `\r` as `\n`, so offsets are the same whatever the line breaks. */
export function normalizeReply(reply: string): string {
  return reply.replace(/\r\n?/g, '\n');
}

/**
 * Where the answer part of `text` starts: after the last `</think>`, else at 0. A reply cut off
 * inside `<think>` has no answer part: `{ cutOff: true }`.
 */
export function answerStart(text: string): { readonly from: number } | { readonly cutOff: true } {
  const close = text.toLowerCase().lastIndexOf('</think>');
  if (close >= 0) return { from: close + '</think>'.length };
  return /<think>/i.test(text) ? { cutOff: true } : { from: 0 };
}

/** The bounds of the line around `index`. */
export function lineAround(text: string, index: number): { readonly start: number; readonly end: number } {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const nl = text.indexOf('\n', index);
  return { start, end: nl < 0 ? text.length : nl };
}

/** The last non-empty line of `text` and where it starts. */
export function lastLine(text: string): { readonly start: number; readonly line: string } {
  const trimmed = text.trimEnd();
  const start = trimmed.lastIndexOf('\n') + 1;
  return { start, line: trimmed.slice(start) };
}

/** Markdown and punctuation that may sit around a token, dropped from the end of the reasoning. */
const DECORATION = new Set([' ', '\t', '\n', '*', '_', '#', '>', '`', ':', '-']);

function trimDecoration(text: string): string {
  let end = text.length;
  while (end > 0 && DECORATION.has(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/** The text before `index`, without the decoration before the token or a `label` alone on its line. */
export function reasoningBefore(text: string, index: number, label: RegExp): string {
  const before = trimDecoration(text.slice(0, index));
  const lineStart = before.lastIndexOf('\n') + 1;
  const rest = label.test(before.slice(lineStart)) ? trimDecoration(before.slice(0, lineStart)) : before;
  return rest.trim();
}
